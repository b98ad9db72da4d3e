package org.bosun.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bosun api-service}: the platform kept running with the api feature, rkt's read-only gRPC
 * API (v1alpha PublicAPI) on a loopback TCP port and a unix socket, until SIGTERM or SIGINT. It
 * needs only read access to the data directory. Started by root with {@code --user=USER}, it first
 * becomes that user: a JVM cannot drop its ids for all its threads, so the launcher re-executes
 * itself through util-linux's {@code setpriv --reuid --regid --clear-groups} before any platform
 * starts (the socket's directory is made, as root, beforehand).
 */
final class ApiServiceMain {
    static final int DEFAULT_PORT = 15441;
    static final String SETPRIV = "/usr/bin/setpriv";
    /** The default socket of a service that runs as --user: in a directory of that user's. */
    static final String USER_SOCKET = "/run/bosun-api-service/api-service.sock";
    /** ErrorKind's exit codes: the launcher's class path has no API bundle to ask. */
    private static final int ALREADY_EXISTS = 3;
    private static final int INVALID = 4;
    private static final int PERMISSION_DENIED = 7;
    private static final int UNAVAILABLE = 6;
    /** The framework property that names the system property the API service reports its failure to start in. */
    static final String FAILURE_KEY_PROPERTY = "bosun.api.failure.key";
    static final String FAILURE_PROPERTY_PREFIX = "bosun.api.failure.";
    /** Appended to it: set by the service once it listens (its socket's mode set too). */
    static final String READY_SUFFIX = ".ready";
    /** The last resort, for a service that neither listens nor fails (its component never activated). */
    static final long READY_TIMEOUT_MILLIS = 60_000;

    private ApiServiceMain() {
    }

    static void run(String[] args, boolean debug) throws Exception {
        int port = DEFAULT_PORT;
        String socket = null;
        String user = null;
        String dataDir = null;
        List<String> withoutUser = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            String option = null;
            if (Main.isGlobalOption(arg)) {
                withoutUser.add(arg);
                if (arg.startsWith("--dir=")) {
                    dataDir = arg.substring("--dir=".length());
                } else if (arg.equals("--dir") && i + 1 < args.length) {
                    dataDir = args[i + 1];
                }
                if (Main.takesSeparateValue(arg) && i + 1 < args.length) {
                    withoutUser.add(args[++i]);
                }
                continue;
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.out.print("""
                        Usage: bosun api-service [--listen-port=PORT] [--socket=PATH] [--user=USER] [--debug]
                        Serve rkt's read-only gRPC API (package v1alpha, service PublicAPI, as in rkt
                        v1.30.0): GetInfo, ListPods, InspectPod, ListImages, InspectImage,
                        ListenEvents, GetLogs, over the pods and images of the data directory (--dir).
                        It needs only read access to the data directory. An agent started with
                        --feature=api serves the same API.

                          --listen-port=PORT  the loopback TCP port (default 15441, rkt's); 0 for none
                          --socket=PATH       the unix socket, mode 0666 (default api-service.sock beside
                                              the agent's socket: /run/bosun/api-service.sock; with
                                              --user, /run/bosun-api-service/api-service.sock, in a
                                              directory of that user's); '-' for none
                          --user=USER         when started by root, serve as USER (a name or uid),
                                              with its primary group and no supplementary groups
                          --debug             show the framework's diagnostics
                        """);
                System.out.flush();
                Runtime.getRuntime().halt(0);
            } else if (arg.equals("api-service")) {
                withoutUser.add(arg);
                continue;
            } else if (arg.startsWith("--listen-port=") || arg.startsWith("--socket=") || arg.startsWith("--user=")) {
                option = arg.substring(0, arg.indexOf('='));
                value = arg.substring(arg.indexOf('=') + 1);
            } else if ((arg.equals("--listen-port") || arg.equals("--socket") || arg.equals("--user"))
                    && i + 1 < args.length) {
                option = arg;
                value = args[++i];
            } else {
                fail(INVALID, "unknown argument '" + arg + "'; see 'bosun api-service --help'");
            }
            switch (option) {
                case "--listen-port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                    if (port < 0 || port > 65535) {
                        fail(INVALID, "--listen-port '" + value + "' is not a port; give a number from 1 to 65535,"
                                + " or 0 for no TCP port");
                    }
                    withoutUser.add("--listen-port=" + value);
                }
                case "--socket" -> {
                    socket = value;
                    withoutUser.add("--socket=" + value);
                }
                default -> user = value;
            }
        }
        if (socket == null) {
            // only root may create sockets in the agent's directory: a service that drops root gets one of its own
            socket = user != null ? USER_SOCKET : Main.agentSocket().resolveSibling("api-service.sock").toString();
        }
        if (port == 0 && socket.equals("-")) {
            fail(INVALID, "--listen-port=0 and --socket=- leave the API service nowhere to listen; give one");
        }
        if (!socket.equals("-") && Path.of(socket).toAbsolutePath().toString().getBytes().length > 107) {
            fail(INVALID, "--socket " + socket + " is longer than a unix socket's path may be (107 bytes); give a"
                    + " shorter one");
        }
        if (user != null) {
            if (withoutUser.stream().noneMatch(a -> a.startsWith("--socket="))) {
                withoutUser.add("--socket=" + socket);
            }
            dropTo(user, socket, withoutUser);
        }
        if (port > 0 && ServiceProbe.answers(port)) {
            fail(ALREADY_EXISTS, "port " + port + " is taken (another bosun api-service, or an agent with the api"
                    + " feature?); stop that, or give another --listen-port");
        }
        if (!socket.equals("-")) {
            if (ServiceProbe.answers(Path.of(socket))) {
                fail(ALREADY_EXISTS, "the socket " + socket + " is in use (another bosun api-service, or an agent with"
                        + " the api feature?); stop that, or give another --socket");
            }
            Path dir = Path.of(socket).toAbsolutePath().getParent();
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                fail(PERMISSION_DENIED, "cannot make the socket " + socket + ": its directory " + dir + " is missing"
                        + " or not writable by this user; give another --socket");
            }
        }
        Distribution dist = Distribution.locate();
        Map<String, String> props = Main.frameworkProperties(debug);
        props.put("bosun.api.port", Integer.toString(port == 0 ? -1 : port));
        props.put("bosun.api.socket", socket);
        // where the service says why it could not start (a system property: the launcher and the
        // bundles share the JVM, not a class); read below instead of waiting out the timeout
        String failureKey = FAILURE_PROPERTY_PREFIX + ProcessHandle.current().pid();
        System.clearProperty(failureKey);
        System.clearProperty(failureKey + READY_SUFFIX);
        props.put(FAILURE_KEY_PROPERTY, failureKey);
        if (dataDir != null) {
            props.put("bosun.api.dir", Path.of(dataDir).toAbsolutePath().toString());
        }
        EmbeddedPlatform platform = EmbeddedPlatform.boot(dist,
                Assembly.forCommand(dist, "api-service", Main.configurationFolders(args)), props);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                platform.stop();
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }, "bosun-api-service-shutdown"));
        int tcpPort = port;
        String unixSocket = socket;
        String notReady = awaitReady(() -> System.getProperty(failureKey + READY_SUFFIX) != null
                && (tcpPort <= 0 || ServiceProbe.answers(tcpPort))
                && (unixSocket.equals("-") || ServiceProbe.answers(Path.of(unixSocket))),
                () -> System.getProperty(failureKey), READY_TIMEOUT_MILLIS, 50);
        if (notReady != null) {
            fail(UNAVAILABLE, notReady);
        }
        System.err.println("bosun api-service: listening on " + (port > 0 ? "127.0.0.1:" + port : "")
                + (port > 0 && !socket.equals("-") ? " and " : "") + (socket.equals("-") ? "" : socket)
                + " (uid " + CallerIds.ofThisProcess().uid() + ")");
        platform.framework().waitForStop(0);
    }

    /**
     * Root becomes {@code user} by re-executing this very command line through setpriv, without
     * --user; anyone else may only name itself.
     */
    private static void dropTo(String user, String socket, List<String> args) throws IOException {
        Optional<int[]> ids = passwd(user);
        if (ids.isEmpty()) {
            fail(INVALID, "--user '" + user + "' is no user of this host (/etc/passwd); give a user's name or uid");
        }
        int uid = ids.get()[0];
        int gid = ids.get()[1];
        CallerIds self = CallerIds.ofThisProcess();
        if (self.uid() == uid) {
            return;
        }
        if (self.uid() != 0) {
            fail(PERMISSION_DENIED, "--user needs root: this process runs as uid " + self.uid()
                    + "; start it as root, or leave --user out");
        }
        if (!Files.isExecutable(Path.of(SETPRIV))) {
            fail(UNAVAILABLE, "--user needs " + SETPRIV + " (util-linux) to drop root; install util-linux");
        }
        if (!socket.equals("-")) {
            // root's part: the socket's directory, which the user must own to make its socket in it
            Path dir = Path.of(socket).toAbsolutePath().getParent();
            if (!Files.exists(dir)) {
                Files.createDirectories(dir);
                Files.setAttribute(dir, "unix:uid", uid);
                Files.setAttribute(dir, "unix:gid", gid);
            } else if (((Number) Files.getAttribute(dir, "unix:uid")).intValue() != uid) {
                fail(PERMISSION_DENIED, "--user " + user + " cannot make its socket in " + dir + ", which uid "
                        + Files.getAttribute(dir, "unix:uid") + " owns; give a --socket in a directory " + user
                        + " owns, or in a new one (root makes it for " + user + ")");
            }
        }
        ProcessHandle.Info info = ProcessHandle.current().info();
        String java = info.command().orElseThrow(() -> new IOException("cannot find this JVM's command"));
        List<String> jvm = new ArrayList<>(List.of(info.arguments().orElseThrow(() -> new IOException(
                "cannot read this JVM's arguments"))));
        // the JVM's own options, up to the main class, then the command's arguments without --user
        int main = jvm.indexOf(Main.class.getName());
        if (main < 0) {
            throw new IOException("cannot find " + Main.class.getName() + " in this JVM's arguments " + jvm);
        }
        List<String> argv = new ArrayList<>(List.of(SETPRIV, "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "--", java));
        argv.addAll(jvm.subList(0, main + 1));
        argv.addAll(args);
        List<String> env = new ArrayList<>();
        System.getenv().forEach((k, v) -> {
            if (!k.equals("HOME") && !k.equals("XDG_CACHE_HOME") && !k.equals("BOSUN_CACHE_DIR")) {
                env.add(k + "=" + v);
            }
        });
        env.add("HOME=/");
        System.out.flush();
        System.err.flush();
        Native.load();
        int errno = Native.exec(System.getProperty("user.dir"), argv.toArray(String[]::new),
                env.toArray(String[]::new), -1);
        fail(UNAVAILABLE, "cannot run " + SETPRIV + ": " + Native.strerror(errno));
    }

    /** A user's uid and primary gid, by name or number, from /etc/passwd. */
    static Optional<int[]> passwd(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length >= 4 && (f[0].equals(user) || f[2].equals(user))) {
                return Optional.of(new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])});
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until {@code listening}; returns null then, or at once the failure the service reported,
     * or after {@code timeoutMillis} a line that says it did not start.
     */
    static String awaitReady(java.util.function.BooleanSupplier listening,
            java.util.function.Supplier<String> failure, long timeoutMillis, long everyMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            String failed = failure.get();
            if (failed != null) {
                return failed;
            }
            if (listening.getAsBoolean()) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                return "the API service did not start listening within " + timeoutMillis / 1000 + " s (disabled in"
                        + " configurations.d, or its bundles not started?); run with --debug";
            }
            Thread.sleep(everyMillis);
        }
    }

    private static void fail(int code, String message) {
        System.err.println("bosun api-service: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }
}
