package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.cri.v1.AttachRequest;
import org.bosun.cri.v1.ExecRequest;
import org.bosun.cri.v1.PortForwardRequest;
import org.bosun.cri.v1.RuntimeServiceGrpc;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The CRI's streaming RPCs end to end: Exec and PortForward answer one-time URLs of the agent's
 * streaming server, and real clients written from the protocols' specs (the JDK's WebSocket client
 * for the channel protocols, netty's SPDY codec for SPDY/3.1) run commands in an app of a real oci
 * pod (exit codes through the error stream, a terminal that takes a resize) and reach a server
 * listening on 127.0.0.1 inside the pod's own network namespace.
 */
public class CriStreamingIT {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();
    static final int HTTP_PORT = 8080;
    static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static ManagedChannel channel;
    private static RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
    private static String pod;
    private static String container;

    @BeforeClass
    public static void startAPodWithAWebServer() throws Exception {
        channel = Grpc.newChannelBuilder("unix://" + FIXTURE.socket.resolveSibling("cri.sock"),
                InsecureChannelCredentials.create()).build();
        runtime = RuntimeServiceGrpc.newBlockingStub(channel);
        BosunResult sandbox = bosun("app", "sandbox", "--stage1-name=oci", "--net=none");
        assertEquals(sandbox.describe(), 0, sandbox.exitCode);
        Matcher m = UUID.matcher(sandbox.stdout);
        assertTrue(sandbox.describe(), m.find());
        pod = m.group();
        BosunResult add = bosun("app", "add", "--insecure-options=image", pod, FIXTURE.busyboxAci.toString(), "--name=web",
                "--exec=/bin/sh", "--", "-c", "mkdir -p /www && echo hello-from-the-pod > /www/index.html"
                        + " && exec httpd -f -p 127.0.0.1:" + HTTP_PORT + " -h /www");
        assertEquals(add.describe(), 0, add.exitCode);
        BosunResult start = bosun("app", "start", pod, "--app=web");
        assertEquals(start.describe(), 0, start.exitCode);
        container = pod + "-web";
        BosunResult echo = bosun("app", "add", "--insecure-options=image", pod, FIXTURE.busyboxAci.toString(),
                "--name=echo", "--stdin=stream", "--stdout=stream", "--stderr=stream", "--exec=/bin/sh", "--", "-c",
                "while read -r line; do echo got-$line; done");
        assertEquals(echo.describe(), 0, echo.exitCode);
        BosunResult startEcho = bosun("app", "start", pod, "--app=echo");
        assertEquals(startEcho.describe(), 0, startEcho.exitCode);
        BosunResult term = bosun("app", "add", "--insecure-options=image", pod, FIXTURE.busyboxAci.toString(),
                "--name=term", "--stdin=tty", "--stdout=tty", "--stderr=tty", "--exec=/bin/sh");
        assertEquals(term.describe(), 0, term.exitCode);
        BosunResult startTerm = bosun("app", "start", pod, "--app=term");
        assertEquals(startTerm.describe(), 0, startTerm.exitCode);
    }

    @AfterClass
    public static void stopThePod() throws Exception {
        if (pod != null) {
            bosun("stop", "--force", pod);
            for (int i = 0; i < 50 && bosun("rm", pod).exitCode != 0; i++) {
                Thread.sleep(200);
            }
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static RuntimeServiceGrpc.RuntimeServiceBlockingStub rpc() {
        return runtime.withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static URI exec(boolean stdin, boolean tty, String... cmd) {
        return URI.create(rpc().exec(ExecRequest.newBuilder().setContainerId(container).addAllCmd(List.of(cmd))
                .setStdin(stdin).setStdout(true).setStderr(!tty).setTty(tty).build()).getUrl());
    }

    @Test
    public void execOverWebSocketV5GivesTheOutputAndTheExitCode() throws Exception {
        URI url = exec(false, false, "/bin/sh", "-c", "echo hi; echo oops >&2");
        assertTrue(url.toString(), url.toString().matches("http://127\\.0\\.0\\.1:\\d+/exec/[A-Za-z0-9_-]{43}"));
        ChannelTestClient ok = new ChannelTestClient(url, "v5.channel.k8s.io", "v4.channel.k8s.io");
        assertEquals("v5.channel.k8s.io", ok.protocol);
        assertEquals(1000, ok.awaitClose());
        assertEquals("hi\n", ok.text(1));
        assertEquals("oops\n", ok.text(2));
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", ok.text(3));

        ChannelTestClient failed = new ChannelTestClient(exec(true, false, "/bin/sh", "-c", "read x; echo got-$x; exit 3"),
                "v5.channel.k8s.io");
        failed.send(0, "input\n");
        failed.send(255, new byte[] {0}); // v5: the client is done writing stdin
        failed.awaitClose();
        assertEquals("got-input\n", failed.text(1));
        String status = failed.text(3);
        assertTrue(status, status.contains("\"reason\":\"NonZeroExitCode\""));
        assertTrue(status, status.contains("{\"reason\":\"ExitCode\",\"message\":\"3\"}"));
    }

    @Test
    public void execOverSpdyGivesTheOutputAndTheExitCodeOnTheErrorStream() throws Exception {
        try (SpdyTestClient spdy = new SpdyTestClient(exec(false, false, "/bin/sh", "-c", "echo hi; exit 5"),
                "v4.channel.k8s.io")) {
            int error = spdy.open(Map.of("streamType", "error"));
            int stdout = spdy.open(Map.of("streamType", "stdout"));
            int stderr = spdy.open(Map.of("streamType", "stderr"));
            assertTrue("the server says goodbye", spdy.readToEnd());
            assertEquals("hi\n", spdy.text(stdout));
            assertEquals("", spdy.text(stderr));
            assertTrue(spdy.text(error), spdy.text(error).contains("{\"reason\":\"ExitCode\",\"message\":\"5\"}"));
            assertTrue("stdout ended with FIN", spdy.finished.getOrDefault(stdout, false));
            assertTrue("the error stream ended with FIN", spdy.finished.getOrDefault(error, false));
        }
        try (SpdyTestClient spdy = new SpdyTestClient(exec(true, false, "/bin/cat"), "v4.channel.k8s.io")) {
            int error = spdy.open(Map.of("streamType", "error"));
            int stdin = spdy.open(Map.of("streamType", "stdin"));
            int stdout = spdy.open(Map.of("streamType", "stdout"));
            spdy.open(Map.of("streamType", "stderr"));
            spdy.write(stdin, "through cat\n", true);
            assertTrue(spdy.readToEnd());
            assertEquals("through cat\n", spdy.text(stdout));
            assertEquals("{\"metadata\":{},\"status\":\"Success\"}", spdy.text(error));
        }
    }

    @Test
    public void aTerminalTakesTheClientsSize() throws Exception {
        ChannelTestClient tty = new ChannelTestClient(exec(true, true, "/bin/sh"), "v5.channel.k8s.io");
        tty.send(4, "{\"Width\":123,\"Height\":45}");
        Thread.sleep(500);
        tty.send(0, "stty size; exit 7\n");
        tty.awaitClose();
        String screen = tty.text(1);
        assertTrue(screen, screen.contains("45 123"));
        assertTrue(tty.text(3), tty.text(3).contains("{\"reason\":\"ExitCode\",\"message\":\"7\"}"));
        assertEquals("no stderr channel with a terminal", "", tty.text(2));

        try (SpdyTestClient spdy = new SpdyTestClient(exec(true, true, "/bin/sh"), "v4.channel.k8s.io")) {
            int error = spdy.open(Map.of("streamType", "error"));
            int stdin = spdy.open(Map.of("streamType", "stdin"));
            int stdout = spdy.open(Map.of("streamType", "stdout"));
            int resize = spdy.open(Map.of("streamType", "resize"));
            spdy.write(resize, "{\"Width\":90,\"Height\":30}", false);
            Thread.sleep(500);
            spdy.write(stdin, "stty size; exit\n", false);
            assertTrue(spdy.readToEnd());
            assertTrue(spdy.text(stdout), spdy.text(stdout).contains("30 90"));
            assertEquals("{\"metadata\":{},\"status\":\"Success\"}", spdy.text(error));
        }
    }

    @Test
    public void portForwardReachesAServerOnTheLoopbackInsideThePod() throws Exception {
        String request = "GET /index.html HTTP/1.0\r\n\r\n";
        URI ws = URI.create(rpc().portForward(PortForwardRequest.newBuilder().setPodSandboxId(pod).addPort(HTTP_PORT)
                .build()).getUrl() + "?port=" + HTTP_PORT);
        ChannelTestClient client = new ChannelTestClient(ws, "v4.channel.k8s.io");
        client.send(0, request);
        client.awaitClose();
        byte[] port = {(byte) (HTTP_PORT & 0xff), (byte) (HTTP_PORT >>> 8)};
        String data = client.text(0);
        byte[] raw = client.channels.get(0).toByteArray();
        // bytes, not text: a port's low byte above 0x7f is no UTF-8 of its own
        assertTrue(data, raw.length >= 2 && raw[0] == port[0] && raw[1] == port[1]);
        assertTrue(data, data.contains("hello-from-the-pod"));
        assertEquals("the error channel carries only its port", 2, client.channels.get(1).size());

        URI spdyUrl = URI.create(rpc().portForward(PortForwardRequest.newBuilder().setPodSandboxId(pod).build()).getUrl());
        try (SpdyTestClient spdy = new SpdyTestClient(spdyUrl, "portforward.k8s.io")) {
            int error = spdy.open(Map.of("streamType", "error", "port", Integer.toString(HTTP_PORT), "requestID", "0"));
            int stream = spdy.open(Map.of("streamType", "data", "port", Integer.toString(HTTP_PORT), "requestID", "0"));
            spdy.write(stream, request, false);
            int closedPort = spdy.open(Map.of("streamType", "error", "port", "1", "requestID", "1"));
            spdy.open(Map.of("streamType", "data", "port", "1", "requestID", "1"));
            waitFor(() -> spdy.finished.getOrDefault(stream, false) && spdy.finished.getOrDefault(closedPort, false), spdy);
            assertTrue(spdy.text(stream), spdy.text(stream).contains("hello-from-the-pod"));
            assertEquals("", spdy.text(error));
            assertTrue(spdy.text(closedPort), spdy.text(closedPort).contains("error forwarding port 1 to pod " + pod));
        }
    }

    /** Reads frames until {@code done} holds (the port-forward session lasts as long as the client keeps it). */
    private static void waitFor(java.util.function.BooleanSupplier done, SpdyTestClient spdy) throws Exception {
        Thread reader = new Thread(() -> {
            try {
                spdy.readToEnd();
            } catch (IOException e) {
                // closed by the test
            }
        });
        reader.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        spdy.close();
        reader.join(5000);
    }

    @Test
    public void aUrlServesOneConnectionOnly() throws Exception {
        URI url = exec(false, false, "true");
        new ChannelTestClient(url, "v5.channel.k8s.io").awaitClose();
        Exception again = assertThrows(Exception.class, () -> new ChannelTestClient(url, "v5.channel.k8s.io"));
        java.net.http.WebSocketHandshakeException refused = (java.net.http.WebSocketHandshakeException) again.getCause();
        assertEquals(404, refused.getResponse().statusCode());
        IOException spdy = assertThrows(IOException.class, () -> new SpdyTestClient(url, "v4.channel.k8s.io"));
        assertTrue(spdy.getMessage(), spdy.getMessage().contains("404"));
    }

    /**
     * Attach reaches a {@code stream} app through {@code bosun attach}'s backend: a line in, the app's
     * answer out; the end of the client's input detaches, and the app goes on running.
     */
    @Test
    public void attachExchangesALineWithAStreamAppAndDetachingLeavesItRunning() throws Exception {
        URI url = URI.create(rpc().attach(AttachRequest.newBuilder().setContainerId(pod + "-echo").setStdin(true)
                .setStdout(true).setStderr(true).build()).getUrl());
        assertTrue(url.toString(), url.toString().matches("http://127\\.0\\.0\\.1:\\d+/attach/[A-Za-z0-9_-]{43}"));
        ChannelTestClient attach = new ChannelTestClient(url, "v5.channel.k8s.io");
        attach.send(0, "ping\n");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!attach.text(1).contains("got-ping") && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertTrue("the app's answer: '" + attach.text(1) + "'", attach.text(1).contains("got-ping"));
        attach.send(255, new byte[] {0}); // v5: the client is done writing stdin, which detaches
        assertEquals(1000, attach.awaitClose());
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", attach.text(3));
        BosunResult status = bosun("app", "status", pod, "--app=echo", "--format=json");
        assertEquals(status.describe(), 0, status.exitCode);
        assertTrue(status.stdout, status.stdout.contains("\"state\":\"running\""));
    }

    /**
     * Attach with a terminal to an app with one (the tty I/O mode): the client's size (channel 4) is the
     * app's terminal's, and a resize follows; ctrl-p ctrl-q detaches and the app runs on.
     */
    @Test
    public void attachWithATerminalTakesTheClientsSizeAResizeAndDetachesWithCtrlPCtrlQ() throws Exception {
        URI url = URI.create(rpc().attach(AttachRequest.newBuilder().setContainerId(pod + "-term").setStdin(true)
                .setStdout(true).setTty(true).build()).getUrl());
        ChannelTestClient attach = new ChannelTestClient(url, "v5.channel.k8s.io");
        attach.send(4, "{\"Width\":111,\"Height\":33}");
        Thread.sleep(500);
        attach.send(0, "echo size-$(stty size | tr ' ' x) tty-is-$(tty)\n");
        awaitText(attach, "size-33x111");
        assertTrue(attach.text(1), attach.text(1).contains("tty-is-/dev/pts/"));
        attach.send(4, "{\"Width\":100,\"Height\":20}");
        Thread.sleep(500);
        attach.send(0, "echo size-$(stty size | tr ' ' x)\n");
        awaitText(attach, "size-20x100");
        attach.send(0, "\u0010\u0011");
        assertEquals(1000, attach.awaitClose());
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", attach.text(3));
        assertEquals("no stderr channel with a terminal", "", attach.text(2));
        BosunResult status = bosun("app", "status", pod, "--app=term", "--format=json");
        assertEquals(status.describe(), 0, status.exitCode);
        assertTrue(status.stdout, status.stdout.contains("\"state\":\"running\""));
        BosunResult logs = bosun("logs", "--app=term", pod);
        assertTrue(logs.describe(), logs.stdout.contains("size-33x111"));
    }

    /**
     * The same Attach to apps of an nspawn sandbox (issue 14): their stdin FIFO and terminal are held
     * by the same ttyhold, a unit of the pod's systemd, behind the same attach protocol.
     */
    @Test
    public void attachReachesTheStreamAndTerminalAppsOfAnNspawnSandbox() throws Exception {
        BosunResult sandbox = bosun("app", "sandbox", "--stage1-name=nspawn", "--net=none");
        assertEquals(sandbox.describe(), 0, sandbox.exitCode);
        Matcher m = UUID.matcher(sandbox.stdout);
        assertTrue(sandbox.describe(), m.find());
        String uuid = m.group();
        try {
            for (List<String> app : List.of(List.of("--name=echo", "--stdin=stream", "--stdout=stream", "--stderr=stream",
                    "--exec=/bin/sh", "--", "-c", "while read -r line; do echo got-$line; done"), List.of("--name=term",
                    "--stdin=tty", "--stdout=tty", "--stderr=tty", "--exec=/bin/sh"))) {
                List<String> args = new java.util.ArrayList<>(List.of("app", "add", "--insecure-options=image", uuid,
                        FIXTURE.busyboxAci.toString()));
                args.addAll(app);
                BosunResult add = bosun(args.toArray(String[]::new));
                assertEquals(add.describe(), 0, add.exitCode);
                BosunResult start = bosun("app", "start", uuid, app.get(0).replace("--name=", "--app="));
                assertEquals(start.describe(), 0, start.exitCode);
            }
            ChannelTestClient echo = new ChannelTestClient(URI.create(rpc().attach(AttachRequest.newBuilder()
                    .setContainerId(uuid + "-echo").setStdin(true).setStdout(true).setStderr(true).build()).getUrl()),
                    "v5.channel.k8s.io");
            echo.send(0, "ping\n");
            awaitText(echo, "got-ping");
            echo.send(255, new byte[] {0});
            assertEquals(1000, echo.awaitClose());

            ChannelTestClient term = new ChannelTestClient(URI.create(rpc().attach(AttachRequest.newBuilder()
                    .setContainerId(uuid + "-term").setStdin(true).setStdout(true).setTty(true).build()).getUrl()),
                    "v5.channel.k8s.io");
            term.send(4, "{\"Width\":111,\"Height\":33}");
            Thread.sleep(500);
            term.send(0, "echo size-$(stty size | tr ' ' x) tty-is-$(tty)\n");
            awaitText(term, "size-33x111");
            assertTrue(term.text(1), term.text(1).contains("tty-is-/dev/pts/"));
            term.send(0, "\u0010\u0011");
            assertEquals(1000, term.awaitClose());
            assertEquals("{\"metadata\":{},\"status\":\"Success\"}", term.text(3));
            for (String app : List.of("echo", "term")) {
                BosunResult status = bosun("app", "status", uuid, "--app=" + app, "--format=json");
                assertEquals(status.describe(), 0, status.exitCode);
                assertTrue(app + " runs on after the detach: " + status.stdout, status.stdout.contains("\"state\":\"running\""));
            }
        } finally {
            bosun("stop", "--force", uuid);
            for (int i = 0; i < 50 && bosun("rm", uuid).exitCode != 0; i++) {
                Thread.sleep(200);
            }
        }
    }

    private static void awaitText(ChannelTestClient client, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!client.text(1).contains(text) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertTrue("'" + text + "' in '" + client.text(1) + "'", client.text(1).contains(text));
    }

    @Test
    public void badRequestsGetTheirStatusCodes() {
        assertCode(Status.Code.NOT_FOUND, () -> rpc().exec(ExecRequest.newBuilder()
                .setContainerId("00000000-0000-0000-0000-000000000000-web").addCmd("true").setStdout(true).build()));
        assertCode(Status.Code.NOT_FOUND, () -> rpc().exec(ExecRequest.newBuilder().setContainerId(pod + "-nothing")
                .addCmd("true").setStdout(true).build()));
        assertCode(Status.Code.NOT_FOUND, () -> rpc().exec(ExecRequest.newBuilder().setContainerId("garbage")
                .addCmd("true").setStdout(true).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> rpc().exec(ExecRequest.newBuilder().setContainerId(container)
                .setStdout(true).build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> rpc().exec(ExecRequest.newBuilder().setContainerId(container)
                .addCmd("true").build()));
        assertCode(Status.Code.INVALID_ARGUMENT, () -> rpc().portForward(PortForwardRequest.newBuilder()
                .setPodSandboxId(pod).addPort(70000).build()));
        assertCode(Status.Code.NOT_FOUND, () -> rpc().portForward(PortForwardRequest.newBuilder()
                .setPodSandboxId("00000000-0000-0000-0000-000000000000").build()));
        // the web app's output is its log, not a stream: nothing to attach to
        StatusRuntimeException attach = assertCode(Status.Code.FAILED_PRECONDITION, () -> rpc().attach(
                AttachRequest.newBuilder().setContainerId(container).setStdout(true).build()));
        assertTrue(attach.getStatus().getDescription(), attach.getStatus().getDescription().contains("stream"));
        // a terminal session to an app without one
        StatusRuntimeException tty = assertCode(Status.Code.FAILED_PRECONDITION, () -> rpc().attach(AttachRequest.newBuilder()
                .setContainerId(pod + "-echo").setStdin(true).setStdout(true).setTty(true).build()));
        assertTrue(tty.getStatus().getDescription(), tty.getStatus().getDescription().contains("terminal"));
    }

    private static StatusRuntimeException assertCode(Status.Code code, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(e.getStatus().toString(), code, e.getStatus().getCode());
        return e;
    }

    /** {@code bosun --dir=AGENT_DATA ARGS} through the agent: the CRI server's own data directory. */
    private static BosunResult bosun(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(FIXTURE.bin.toString(), "--dir=" + FIXTURE.agentData()));
        command.addAll(List.of(args));
        BosunProcess p = FIXTURE.start(Mode.AGENT, command, FIXTURE.agentData().getParent());
        p.closeStdin();
        return p.await(Duration.ofSeconds(90));
    }
}
