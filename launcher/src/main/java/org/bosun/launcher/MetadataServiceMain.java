package org.bosun.launcher;

import java.util.Map;

/**
 * {@code bosun metadata-service}: the platform kept running with the metadata-service feature, the
 * appc metadata service alone (as rkt's {@code rkt metadata-service}), until SIGTERM or SIGINT. An
 * agent serves the same service; this is for hosts that run no agent.
 */
final class MetadataServiceMain {
    static final int DEFAULT_PORT = 18112;
    /** ErrorKind's exit codes: the launcher's class path has no API bundle to ask. */
    private static final int ALREADY_EXISTS = 3;
    private static final int INVALID = 4;
    private static final int UNAVAILABLE = 6;

    private MetadataServiceMain() {
    }

    static void run(String[] args, boolean debug) throws Exception {
        int port = DEFAULT_PORT;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            if (Main.isGlobalOption(arg)) {
                if (Main.takesSeparateValue(arg)) {
                    i++;
                }
                continue;
            } else if (arg.equals("--listen-port") && i + 1 < args.length) {
                value = args[++i];
            } else if (arg.startsWith("--listen-port=")) {
                value = arg.substring("--listen-port=".length());
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.out.print("""
                        Usage: bosun metadata-service [--listen-port=PORT] [--debug]
                        Serve the appc metadata service: each pod's manifest, uuid, annotations, its
                        apps' image manifests and ids, and its identity (hmac sign, verify), at the
                        AC_METADATA_URL of its apps (http://GATEWAY:PORT/TOKEN, the host's side of
                        the pod's network). A bosun agent serves it too.

                          --listen-port=PORT  the TCP port (default 18112); pods prepared while it
                                              runs get it in their AC_METADATA_URL
                        bosun registers pods at start and removes them at gc over HTTP on a root-only
                        unix socket, /run/bosun/metadata-svc.sock (metadata-svc-PORT.sock for another
                        port), as rkt did on /run/rkt/metadata-svc.sock.
                          --debug             show the framework's diagnostics
                        """);
                System.out.flush();
                Runtime.getRuntime().halt(0);
            } else if (!arg.equals("metadata-service")) {
                fail(INVALID, "unknown argument '" + arg + "'; see 'bosun metadata-service --help'");
            }
            if (value != null) {
                try {
                    port = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port > 65535) {
                    fail(INVALID, "--listen-port '" + value + "' is not a port; give a number from 1 to 65535");
                }
            }
        }
        if (ServiceProbe.answers(port)) {
            fail(ALREADY_EXISTS, "port " + port + " is taken (a bosun agent serves the metadata service too); stop"
                    + " that, or give another --listen-port");
        }
        Distribution dist = Distribution.locate();
        Map<String, String> props = Main.frameworkProperties(debug);
        props.put("bosun.metadata.port", Integer.toString(port));
        EmbeddedPlatform platform = EmbeddedPlatform.boot(dist,
                Assembly.forCommand(dist, "metadata-service", Main.configurationFolders(args)), props);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                platform.stop();
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }, "bosun-metadata-service-shutdown"));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!ServiceProbe.answers(port)) {
            if (System.nanoTime() > deadline) {
                fail(UNAVAILABLE, "the metadata service did not start listening on port " + port + " within 60 s"
                        + " (disabled in configurations.d, or its port set there?); run with --debug");
            }
            Thread.sleep(50);
        }
        System.err.println("bosun metadata-service: listening on port " + port);
        platform.framework().waitForStop(0);
    }

    private static void fail(int code, String message) {
        System.err.println("bosun metadata-service: " + message);
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }
}
