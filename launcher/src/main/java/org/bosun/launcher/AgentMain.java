package org.bosun.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code bosun agent}: the platform kept running with the agent feature. It serves commands on a
 * root-only unix socket until it gets SIGTERM or SIGINT. Pods it helped start are not its
 * children, so stopping it leaves them running.
 */
final class AgentMain {
    /** ErrorKind.ALREADY_EXISTS's exit code: the launcher's class path has no API bundle to ask. */
    static final int ALREADY_RUNNING = 3;
    /** The longest an agent started with --boot-after waits for that command before it boots anyway. */
    static final long BOOT_AFTER_LIMIT_MILLIS = 10_000;

    private AgentMain() {
    }

    static void run(String[] args, boolean debug) throws Exception {
        Path socket = Main.agentSocket();
        String dataDir = null;
        java.util.List<String> features = new java.util.ArrayList<>();
        int idleExit = 0;
        long bootAfter = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (Main.isGlobalOption(arg)) {
                // Global flags are allowed before any command; the agent serves every --dir. Its
                // own services (the CRI) keep their pods and images in the --dir it was started with.
                if (arg.startsWith("--dir=")) {
                    dataDir = arg.substring("--dir=".length());
                } else if (arg.equals("--dir") && i + 1 < args.length) {
                    dataDir = args[i + 1];
                }
                if (Main.takesSeparateValue(arg)) {
                    i++;
                }
            } else if (arg.equals("--feature") && i + 1 < args.length) {
                features.add(args[++i]);
            } else if (arg.startsWith("--feature=")) {
                features.add(arg.substring("--feature=".length()));
            } else if (arg.equals("--socket") && i + 1 < args.length) {
                socket = Path.of(args[++i]);
            } else if (arg.startsWith("--socket=")) {
                socket = Path.of(arg.substring("--socket=".length()));
            } else if (arg.startsWith("--idle-exit=") || arg.equals("--idle-exit") && i + 1 < args.length) {
                String value = arg.equals("--idle-exit") ? args[++i] : arg.substring("--idle-exit=".length());
                if (!value.matches("\\d{1,9}")) {
                    System.err.println("bosun agent: --idle-exit='" + value + "' is not a number of seconds;"
                            + " give e.g. --idle-exit=300, or 0 to never idle out");
                    Runtime.getRuntime().halt(4);
                }
                idleExit = Integer.parseInt(value);
            } else if (arg.startsWith("--boot-after=")) {
                String value = arg.substring("--boot-after=".length());
                if (!value.matches("[1-9]\\d{0,9}")) {
                    System.err.println("bosun agent: --boot-after='" + value + "' is not a process id");
                    Runtime.getRuntime().halt(4);
                }
                bootAfter = Long.parseLong(value);
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.out.print("""
                        Usage: bosun agent [--socket=PATH] [--idle-exit=SECONDS] [--feature=NAME]... [--debug]
                        Keep the bosun platform running and serve bosun commands on a unix socket.
                        The bosun command uses the agent when its socket answers, and starts the
                        platform itself when it does not: the agent only makes commands faster.

                          --socket=PATH   the socket to listen on (default $BOSUN_AGENT_SOCKET,
                                          else /run/bosun/agent.sock); only root may connect
                          --idle-exit=SECONDS  exit after SECONDS without a command and without
                                          an open connection (a CRI client or stream, a shell,
                                          events or console session); 0, the default, never.
                                          A command that finds no agent starts one with
                                          $BOSUN_AGENT_IDLE_EXIT (default 300); running pods
                                          are not touched by the agent's exit
                          --feature=NAME  load a feature the agent leaves out by default (more
                                          than one: repeat it): 'api', rkt's read-only gRPC API
                                          as bosun api-service serves it, on api-service.sock
                                          beside the agent's socket and 127.0.0.1:15441;
                                          'console', the Felix web console on 127.0.0.1:15442
                                          (docs/console.md)
                          --boot-after=PID  boot once process PID has exited, at most 10 s later
                                          (a first command that started the agent runs in-process
                                          meanwhile, without the agent's boot beside it on the CPUs)
                          --debug         show the framework's diagnostics
                        """);
                System.out.flush();
                Runtime.getRuntime().halt(0);
            } else if (!arg.equals("agent")) {
                System.err.println("bosun agent: unknown argument '" + arg + "'; see 'bosun agent --help'");
                Runtime.getRuntime().halt(4);
            }
        }
        int answered = AgentClient.connect(socket);
        if (answered >= 0) {
            // Found before the platform boots: the socket's own check, in its component, could only
            // fail the component (a stack trace from SCR) and leave this agent serving nothing.
            Native.close(answered);
            System.err.println("bosun agent: another bosun agent already listens on " + socket
                    + "; stop it first, or give this one another --socket");
            Runtime.getRuntime().halt(ALREADY_RUNNING);
        }
        if (bootAfter > 0) {
            waitForExit(bootAfter, BOOT_AFTER_LIMIT_MILLIS);
        }
        Distribution dist = Distribution.locate();
        Map<String, String> props = Main.frameworkProperties(debug);
        props.put("bosun.agent.socket", socket.toAbsolutePath().toString());
        // At most this many bundle jars open at once (Felix closes the least recently used and
        // reopens it on demand): each open jar holds a descriptor and its central directory on the heap.
        props.put("felix.cache.filelimit", System.getProperty("bosun.agent.filelimit", "16"));
        if (idleExit > 0) {
            props.put("bosun.agent.idle-exit", Integer.toString(idleExit));
        }
        if (dataDir != null) {
            props.put("bosun.agent.dir", Path.of(dataDir).toAbsolutePath().toString());
        }
        props.putAll(configDirs(args));
        Assembly assembly;
        try {
            assembly = Assembly.forCommand(dist, "agent", features, Main.configurationFolders(args));
            Path localFolder = Main.configurationFolders(args).get(1).toAbsolutePath();
            if (ConsoleSettings.needsPassword(assembly)) {
                Path data = Extensions.dataDir(args);
                Path generated;
                try {
                    generated = ConsoleSettings.generatePassword(localFolder, data);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("the web console has no password, and generating one failed"
                            + " (nothing was kept): " + e + "; set \"password\" of " + ConsoleSettings.CONSOLE_PID
                            + " in " + localFolder.resolve("console.json") + " (see docs/console.md)");
                }
                if (generated != null) {
                    System.err.println("bosun agent: the web console had no password; generated one (its hash is in "
                            + localFolder.resolve(ConsoleSettings.GENERATED_CONFIG) + "): read it from " + generated
                            + " and delete that file");
                }
                assembly = Assembly.forCommand(dist, "agent", features, Main.configurationFolders(args));
            }
            Map<String, String> console = ConsoleSettings.check(assembly, localFolder);
            if (!console.isEmpty() && System.getProperty(ConsoleSettings.LOG_LEVEL) == null) {
                // Jetty's start-up chatter stays out of the agent's standard error; warnings and errors do not.
                System.setProperty(ConsoleSettings.LOG_LEVEL, "warn");
            }
            props.putAll(console);
        } catch (IllegalArgumentException e) {
            System.err.println("bosun agent: " + e.getMessage());
            Runtime.getRuntime().halt(4);
            return;
        }
        EmbeddedPlatform platform = EmbeddedPlatform.boot(dist, assembly.withExtensions(Extensions.dataDir(args)), props);
        Path pidFile = AgentStarter.pidFile(socket);
        java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signalled.set(true);
            try {
                platform.stop();
            } catch (Exception ignored) {
                // shutting down anyway
            }
            removePidFile(pidFile);
        }, "bosun-agent-shutdown"));
        platform.commandService(60_000);
        if (!answers(socket)) {
            // Its socket component failed (the reason is above): an agent nobody can reach would never
            // serve, nor idle out. Pods are not its children.
            System.err.println("bosun agent: nothing answers on " + socket + " (see above); exiting");
            System.err.flush();
            platform.stop();
            Runtime.getRuntime().halt(1);
        }
        // Ready: the command service is bound. A launcher that started this agent waits for this file.
        Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
        java.nio.file.Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
        java.nio.file.Files.move(tmp, pidFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        platform.framework().waitForStop(0);
        if (signalled.get()) {
            return; // SIGTERM or SIGINT: the shutdown hook stops the platform and ends the JVM
        }
        // Stopped from inside: the idle exit (the socket component stopped the framework). Pods are not its children.
        removePidFile(pidFile);
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Whether the agent's own socket answers, within 10 s (its component may still be activating). */
    private static boolean answers(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        do {
            int fd = AgentClient.connect(socket);
            if (fd >= 0) {
                Native.close(fd);
                return true;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** Removes the pid file if it still names this process (a later agent may have written its own). */
    private static void removePidFile(Path pidFile) {
        try {
            if (java.nio.file.Files.readString(pidFile).trim().equals(Long.toString(ProcessHandle.current().pid()))) {
                java.nio.file.Files.delete(pidFile);
            }
        } catch (java.io.IOException ignored) {
            // gone already
        }
    }

    /**
     * The configuration directories the agent was started with ({@code bosun --local-config=L
     * --system-config=S agent}) as the framework properties {@code bosun.agent.localConfig} and
     * {@code bosun.agent.systemConfig}, for its own services (the CRI's mirrors.d, auth.d, trust):
     * only those given, so a service falls back to the defaults for the others.
     */
    static Map<String, String> configDirs(String[] args) {
        Map<String, String> dirs = new java.util.LinkedHashMap<>();
        String local = Main.globalOption(args, "--local-config", null);
        if (local != null && !local.isEmpty()) {
            dirs.put("bosun.agent.localConfig", Path.of(local).toAbsolutePath().toString());
        }
        String system = Main.globalOption(args, "--system-config", null);
        if (system != null && !system.isEmpty()) {
            dirs.put("bosun.agent.systemConfig", Path.of(system).toAbsolutePath().toString());
        }
        return dirs;
    }

    /** Waits until process {@code pid} has exited, at most {@code limitMillis}. */
    static void waitForExit(long pid, long limitMillis) throws InterruptedException {
        long deadline = System.nanoTime() + limitMillis * 1_000_000;
        java.util.Optional<ProcessHandle> process = ProcessHandle.of(pid);
        while (process.isPresent() && process.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
