package org.bosun.cri.streaming.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppService;
import org.bosun.api.app.AppStatus;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.cri.streaming.AttachBackend;
import org.bosun.cri.streaming.AttachSession;
import org.bosun.cri.streaming.ExecSession;
import org.bosun.cri.streaming.PortForwardSession;
import org.bosun.cri.streaming.StreamedProcess;
import org.bosun.cri.streaming.StreamingService;
import org.bosun.cri.streaming.Streams;
import org.bosun.host.http.HttpHead;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The streaming server: an HTTP/1.1 listener on loopback (a random port by default) that accepts
 * only upgrades, to SPDY/3.1 or WebSocket, of {@code /exec/TOKEN}, {@code /attach/TOKEN} and
 * {@code /portforward/TOKEN}.
 *
 * <p>A minimal HTTP/1.1 reader on plain sockets rather than an HTTP server library: the JDK's
 * com.sun.net.httpserver cannot hand over an upgraded connection, and Jetty 12 (which the platform
 * could resolve) upgrades to WebSocket but not to SPDY, which kubelet and crictl still use. Both
 * protocols take over the raw socket right after one request head, so the head is all the HTTP
 * there is to parse.
 */
@Component(service = StreamingService.class, immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = StreamingServer.Config.class)
public final class StreamingServer implements StreamingService {
    static final String EXEC = "exec";
    static final String ATTACH = "attach";
    static final String PORT_FORWARD = "portforward";
    static final String SPDY = "SPDY/3.1";
    static final String REMOTE_COMMAND_V4 = "v4.channel.k8s.io";
    static final String REMOTE_COMMAND_V5 = "v5.channel.k8s.io";
    static final String PORT_FORWARD_SPDY = "portforward.k8s.io";
    static final Duration STREAM_CREATION_TIMEOUT = Duration.ofSeconds(30);
    /** The largest request head a streaming URL's client may send: its upgrade headers fit many times over. */
    static final int MAX_HEAD = 16 * 1024;

    @ObjectClassDefinition(name = "bosun CRI streaming server")
    public @interface Config {
        @AttributeDefinition(description = "The address to listen on (loopback: kubelet runs on the same node)")
        String address() default "127.0.0.1";

        @AttributeDefinition(description = "The port; 0 for a random free one")
        int port() default 0;

        @AttributeDefinition(description = "How long a URL handed to the kubelet stays valid, in seconds")
        int tokenSeconds() default 60;
    }

    private sealed interface Pending {
    }

    private record PendingExec(RuntimePaths paths, ExecSession session) implements Pending {
    }

    private record PendingAttach(RuntimePaths paths, AttachSession session) implements Pending {
    }

    private record PendingPortForward(PortForwardSession session, Path netns) implements Pending {
    }

    private final PodService pods;
    private final AppService apps;
    private final ServerSocket listener;
    private final String base;
    private final Tokens<Pending> tokens;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile AttachBackend attachBackend;

    @Activate
    public StreamingServer(Config config, @Reference PodService pods, @Reference AppService apps) throws IOException {
        this.pods = pods;
        this.apps = apps;
        this.tokens = new Tokens<>(Duration.ofSeconds(Math.max(1, config.tokenSeconds())), Clock.systemUTC());
        InetAddress address = InetAddress.getByName(config.address());
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(address, config.port()), 64);
        String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + listener.getLocalPort() + "/";
        RemoteCommand.daemon("bosun-streaming-accept", this::acceptLoop);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setAttachBackend(AttachBackend backend) {
        attachBackend = backend;
    }

    void unsetAttachBackend(AttachBackend backend) {
        if (attachBackend == backend) {
            attachBackend = null;
        }
    }

    @Deactivate
    void stop() throws IOException {
        listener.close();
        for (Socket s : connections) {
            s.close();
        }
    }

    @Override
    public URI exec(RuntimePaths paths, ExecSession session) {
        checkRunningApp(paths, session.pod(), session.app());
        return url(EXEC, new PendingExec(paths, session));
    }

    @Override
    public URI attach(RuntimePaths paths, AttachSession session) {
        AttachBackend backend = attachBackend;
        if (backend == null) {
            throw BosunException.notImplemented("attach to app " + session.app() + " of pod " + session.pod()
                    + ": bosun does not keep an app's standard streams open for attaching yet; use exec");
        }
        checkRunningApp(paths, session.pod(), session.app());
        backend.check(paths, session);
        return url(ATTACH, new PendingAttach(paths, session));
    }

    @Override
    public URI portForward(RuntimePaths paths, PortForwardSession session) {
        PodInfo pod = runningPod(paths, session.pod());
        return url(PORT_FORWARD, new PendingPortForward(session, netns(pod)));
    }

    private URI url(String kind, Pending pending) {
        return URI.create(base + kind + "/" + tokens.issue(pending));
    }

    private PodInfo runningPod(RuntimePaths paths, String uuid) {
        PodInfo pod = pods.status(paths, uuid);
        if (pod.state() != PodState.RUNNING) {
            throw BosunException.precondition("pod " + pod.uuid() + " is " + pod.state().toString().toLowerCase()
                    + ", not running");
        }
        return pod;
    }

    private void checkRunningApp(RuntimePaths paths, String uuid, String app) {
        PodInfo pod = runningPod(paths, uuid);
        for (AppInfo a : pod.apps()) {
            if (a.name().equals(app)) {
                return;
            }
        }
        AppStatus status = apps.status(paths, pod.uuid(), app);
        if (status.state() != AppStatus.State.RUNNING) {
            throw BosunException.precondition("app " + app + " of pod " + pod.uuid() + " is "
                    + status.state().toString().toLowerCase() + ", not running");
        }
    }

    /** The pod's network namespace as core records it ({@code net/netns} in the pod), or null on the host's network. */
    private static Path netns(PodInfo pod) {
        Path record = pod.directory().resolve("net").resolve("netns");
        try {
            return Files.exists(record) ? Path.of(Files.readString(record).trim()) : null;
        } catch (IOException e) {
            throw BosunException.internal("cannot read the network namespace of pod " + pod.uuid() + " from " + record
                    + ": " + e.getMessage(), e);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                connections.add(s);
                RemoteCommand.daemon("bosun-streaming-" + s.getPort(), () -> serve(s));
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void serve(Socket socket) {
        String name = "bosun-streaming-" + socket.getPort();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) STREAM_CREATION_TIMEOUT.toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            HttpHead head = HttpHead.read(in, MAX_HEAD);
            socket.setSoTimeout(0);
            String[] parts = head.path().split("/");
            Pending pending = parts.length == 3 && parts[0].isEmpty() ? tokens.take(parts[2]) : null;
            if (pending == null || !parts[1].equals(kind(pending))) {
                HttpHead.refuse(out, 404, "Not Found", "unknown or expired streaming URL " + head.path()
                        + ": URLs are good for one connection within a minute; ask the CRI for a new one");
                socket.close();
                return;
            }
            boolean webSocket = head.values("upgrade").stream().anyMatch(v -> v.equalsIgnoreCase("websocket"));
            boolean spdy = head.values("upgrade").stream().anyMatch(v -> v.equalsIgnoreCase(SPDY));
            if (!webSocket && !spdy) {
                HttpHead.refuse(out, 400, "Bad Request", "the streaming URL " + head.path()
                        + " needs a connection upgrade to SPDY/3.1 or websocket");
                socket.close();
                return;
            }
            if (pending instanceof PendingPortForward pf) {
                if (webSocket) {
                    webSocketPortForward(socket, in, out, head, pf, name);
                } else {
                    spdyPortForward(socket, in, out, head, pf, name);
                }
                return;
            }
            Streams streams;
            Supplier<StreamedProcess> start;
            if (pending instanceof PendingExec e) {
                streams = e.session().streams();
                start = () -> {
                    EngineCommand cmd = pods.enter(e.paths(), e.session().pod(), e.session().app(), e.session().command());
                    return CommandProcess.start(cmd, streams);
                };
            } else {
                PendingAttach a = (PendingAttach) pending;
                streams = a.session().streams();
                start = () -> {
                    AttachBackend backend = attachBackend;
                    if (backend == null) {
                        throw BosunException.notImplemented("the attach backend went away");
                    }
                    return backend.attach(a.paths(), a.session());
                };
            }
            if (webSocket) {
                webSocketRemoteCommand(socket, in, out, head, streams, start, name);
            } else {
                spdyRemoteCommand(socket, in, out, head, streams, start, name);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            RemoteCommand.closeQuietly(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            RemoteCommand.closeQuietly(socket);
        } finally {
            connections.remove(socket);
        }
    }

    private static String kind(Pending p) {
        return p instanceof PendingExec ? EXEC : p instanceof PendingAttach ? ATTACH : PORT_FORWARD;
    }

    /** The first of the server's protocols (in its order of preference) that the client offers, or null. */
    private static String choose(List<String> offered, String... supported) {
        for (String s : supported) {
            if (offered.contains(s)) {
                return s;
            }
        }
        return null;
    }

    private static boolean refuseProtocol(Socket socket, OutputStream out, List<String> offered, String... supported)
            throws IOException {
        HttpHead.refuse(out, 403, "Forbidden", "unable to upgrade: unable to negotiate protocol: client supports "
                + offered + ", server supports " + List.of(supported));
        socket.close();
        return false;
    }

    private void spdyRemoteCommand(Socket socket, InputStream in, OutputStream out, HttpHead head, Streams streams,
            Supplier<StreamedProcess> start, String name) throws IOException, InterruptedException {
        List<String> offered = head.values("X-Stream-Protocol-Version");
        if (choose(offered, REMOTE_COMMAND_V4) == null) {
            refuseProtocol(socket, out, offered, REMOTE_COMMAND_V4);
            return;
        }
        HttpHead.switchProtocols(out, upgradeHeaders(SPDY, "X-Stream-Protocol-Version", REMOTE_COMMAND_V4));
        SpdyConnection conn = new SpdyConnection(socket, in, true);
        List<String> expected = new ArrayList<>(List.of("error"));
        if (streams.stdin()) {
            expected.add("stdin");
        }
        if (streams.stdout()) {
            expected.add("stdout");
        }
        if (streams.stderr()) {
            expected.add("stderr");
        }
        if (streams.tty()) {
            expected.add("resize");
        }
        Map<String, SpdyStream> byType = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(expected.size());
        ClientGone gone = new ClientGone();
        conn.start(name, s -> {
            String type = s.header("streamType");
            if (type != null && expected.contains(type) && byType.putIfAbsent(type, s) == null) {
                all.countDown();
            }
        }, gone);
        if (!all.await(STREAM_CREATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            gone.sessionEnded();
            conn.close();
            return;
        }
        try {
            RemoteCommand.run(name, new RemoteCommand.Channels(input(byType.get("stdin")), output(byType.get("stdout")),
                    output(byType.get("stderr")), input(byType.get("resize")), byType.get("error").output()), start);
        } finally {
            gone.sessionEnded();
            conn.close();
        }
    }

    /**
     * The end of a client's connection while its session runs: it interrupts the session's thread, so
     * that the session ends and its process is closed (killed) rather than left running for no one,
     * as an attach that goes on after the end of its input (a stdin attached to once) would be.
     */
    static final class ClientGone implements Runnable {
        private Thread session = Thread.currentThread();

        @Override
        public synchronized void run() {
            if (session != null) {
                session.interrupt();
            }
        }

        /** The session is over: a later end of the connection is its normal end. */
        synchronized void sessionEnded() {
            session = null;
            Thread.interrupted();
        }
    }

    private static InputStream input(SpdyStream s) {
        return s == null ? null : s.input();
    }

    private static OutputStream output(SpdyStream s) {
        return s == null ? null : s.output();
    }

    private void webSocketRemoteCommand(Socket socket, InputStream in, OutputStream out, HttpHead head, Streams streams,
            Supplier<StreamedProcess> start, String name) throws IOException {
        List<String> offered = head.values("Sec-WebSocket-Protocol");
        String protocol = choose(offered, REMOTE_COMMAND_V5, REMOTE_COMMAND_V4);
        if (protocol == null) {
            refuseProtocol(socket, out, offered, REMOTE_COMMAND_V5, REMOTE_COMMAND_V4);
            return;
        }
        if (!acceptWebSocket(socket, out, head, protocol)) {
            return;
        }
        ChannelConnection conn = new ChannelConnection(socket, in, REMOTE_COMMAND_V5.equals(protocol));
        InputStream stdin = streams.stdin() ? conn.reader(0) : null;
        InputStream resize = streams.tty() ? conn.reader(4) : null;
        ClientGone gone = new ClientGone();
        conn.start(name, gone);
        try {
            // As kubelet does: an empty message on the first stream the client reads says the session is up.
            conn.writer(streams.stdout() ? 1 : streams.stderr() ? 2 : 3).write(new byte[0]);
            RemoteCommand.run(name, new RemoteCommand.Channels(stdin, streams.stdout() ? conn.writer(1) : null,
                    streams.stderr() ? conn.writer(2) : null, resize, conn.writer(3)), start);
        } finally {
            gone.sessionEnded();
            conn.close();
        }
    }

    private static boolean acceptWebSocket(Socket socket, OutputStream out, HttpHead head, String protocol)
            throws IOException {
        String key = head.header("Sec-WebSocket-Key");
        if (key == null || !"13".equals(head.header("Sec-WebSocket-Version"))) {
            HttpHead.refuse(out, 400, "Bad Request", "a WebSocket upgrade needs Sec-WebSocket-Key and Sec-WebSocket-Version 13");
            socket.close();
            return false;
        }
        Map<String, String> h = upgradeHeaders("websocket", "Sec-WebSocket-Accept", WebSocketFrames.accept(key));
        h.put("Sec-WebSocket-Protocol", protocol);
        HttpHead.switchProtocols(out, h);
        return true;
    }

    private static Map<String, String> upgradeHeaders(String upgrade, String name, String value) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Connection", "Upgrade");
        h.put("Upgrade", upgrade);
        h.put(name, value);
        return h;
    }

    private void spdyPortForward(Socket socket, InputStream in, OutputStream out, HttpHead head, PendingPortForward pf,
            String name) throws IOException, InterruptedException {
        List<String> offered = head.values("X-Stream-Protocol-Version");
        if (choose(offered, PORT_FORWARD_SPDY) == null) {
            refuseProtocol(socket, out, offered, PORT_FORWARD_SPDY);
            return;
        }
        HttpHead.switchProtocols(out, upgradeHeaders(SPDY, "X-Stream-Protocol-Version", PORT_FORWARD_SPDY));
        SpdyConnection conn = new SpdyConnection(socket, in, true);
        Map<String, SpdyStream[]> pairs = new LinkedHashMap<>();
        CountDownLatch closed = new CountDownLatch(1);
        conn.start(name, s -> {
            String type = s.header("streamType");
            String id = s.header("requestID");
            if (id == null) {
                // Clients before requestID open the error stream, then the data stream, two ids apart.
                id = Integer.toString("data".equals(type) ? s.id() - 2 : s.id());
            }
            SpdyStream[] pair;
            synchronized (pairs) {
                pair = pairs.computeIfAbsent(id, k -> new SpdyStream[2]);
                if ("data".equals(type)) {
                    pair[0] = s;
                } else if ("error".equals(type)) {
                    pair[1] = s;
                } else {
                    RemoteCommand.closeQuietly(s.output());
                    return;
                }
                if (pair[0] == null || pair[1] == null) {
                    return;
                }
                pairs.remove(id);
            }
            SpdyStream data = pair[0];
            SpdyStream error = pair[1];
            RemoteCommand.daemon(name + "-" + id, () -> {
                int port;
                try {
                    port = Integer.parseInt(String.valueOf(data.header("port")));
                } catch (NumberFormatException e) {
                    port = -1;
                }
                PortForwarding.forward(pf.session().pod(), pf.netns(), pf.session().ports(), port, data.input(),
                        data.output(), error.output());
            });
        }, closed::countDown);
        closed.await();
    }

    private void webSocketPortForward(Socket socket, InputStream in, OutputStream out, HttpHead head,
            PendingPortForward pf, String name) throws IOException, InterruptedException {
        List<String> offered = head.values("Sec-WebSocket-Protocol");
        // kubelet's port-forward speaks the binary channel protocol, named or not.
        String protocol = choose(offered, REMOTE_COMMAND_V4);
        if (protocol == null && !offered.isEmpty()) {
            refuseProtocol(socket, out, offered, REMOTE_COMMAND_V4);
            return;
        }
        List<Integer> ports = new ArrayList<>();
        try {
            for (String v : head.query().getOrDefault("port", List.of())) {
                for (String p : v.split(",")) {
                    int port = Integer.parseInt(p.trim());
                    if (port < 1 || port > 65535) {
                        throw new NumberFormatException(p);
                    }
                    ports.add(port);
                }
            }
        } catch (NumberFormatException e) {
            ports.clear();
        }
        if (ports.isEmpty()) {
            HttpHead.refuse(out, 400, "Bad Request", "a WebSocket port-forward needs the query parameter port=N[,M...]"
                    + " with ports between 1 and 65535");
            socket.close();
            return;
        }
        if (protocol == null) {
            protocol = "";
        }
        String key = head.header("Sec-WebSocket-Key");
        if (key == null) {
            HttpHead.refuse(out, 400, "Bad Request", "a WebSocket upgrade needs Sec-WebSocket-Key");
            socket.close();
            return;
        }
        Map<String, String> h = upgradeHeaders("websocket", "Sec-WebSocket-Accept", WebSocketFrames.accept(key));
        if (!protocol.isEmpty()) {
            h.put("Sec-WebSocket-Protocol", protocol);
        }
        HttpHead.switchProtocols(out, h);
        ChannelConnection conn = new ChannelConnection(socket, in, false);
        List<InputStream> readers = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            readers.add(conn.reader(2 * i));
        }
        conn.start(name, () -> { });
        List<Thread> forwards = new ArrayList<>();
        try {
            for (int i = 0; i < ports.size(); i++) {
                int port = ports.get(i);
                byte[] portBytes = {(byte) port, (byte) (port >>> 8)};
                OutputStream data = conn.writer(2 * i);
                OutputStream error = conn.writer(2 * i + 1);
                data.write(portBytes);
                error.write(portBytes);
                InputStream fromClient = readers.get(i);
                forwards.add(RemoteCommand.daemon(name + "-" + port, () -> PortForwarding.forward(pf.session().pod(),
                        pf.netns(), pf.session().ports(), port, fromClient, data, error)));
            }
            for (Thread t : forwards) {
                t.join();
            }
        } finally {
            conn.close();
        }
    }
}
