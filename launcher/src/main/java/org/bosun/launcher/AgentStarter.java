package org.bosun.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts {@code bosun agent} on first use: when no agent answers on the socket, the launcher
 * starts one detached (never its own child, nor the child of the pod it may become). By default the
 * command that started it does not wait for its boot (several seconds on a loaded 2-core machine,
 * against well under one for the command in-process): it runs in-process, and the commands after
 * it go through the agent once it answers. With {@code BOSUN_AGENT_START_TIMEOUT} seconds it waits
 * that long for the agent and hands the command to it. The agent so started leaves after an idle time
 * ({@code BOSUN_AGENT_IDLE_EXIT}, seconds). Two first commands at once start one agent: the start
 * happens under a lock file beside the socket, and whoever gets the lock second finds the agent
 * answering. Files beside the socket {@code NAME.sock}: {@code NAME.lock}, {@code NAME.pid} (written
 * by the agent once its command service is up, removed when it exits) and {@code NAME.log} (its
 * standard output and error, truncated at each start).
 */
final class AgentStarter {
    /** The auto-started agent's idle time when {@code BOSUN_AGENT_IDLE_EXIT} does not say. */
    static final int DEFAULT_IDLE_EXIT_SECONDS = 300;
    /**
     * How long a command waits for the agent it started before it runs in-process instead, unless
     * BOSUN_AGENT_START_TIMEOUT says: not at all (the first command after boot stays within a second).
     */
    static final int DEFAULT_START_TIMEOUT_SECONDS = 0;
    /** sockaddr_un's sun_path holds 108 bytes with the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;
    /** Commands that never go through an agent: the agent itself, the other servers, the shell's own client. */
    static final Set<String> IN_PROCESS = Set.of("agent", "api-service", "metadata-service", "shell");
    /** Global options the agent is started with, as the first command gave them: the platform that command would have booted. */
    private static final List<String> PASSED_OPTIONS = List.of("--dir", "--local-config", "--system-config");

    private AgentStarter() {
    }

    /** Why this command starts no agent, or null when it may start one. */
    static String whyNot(String command, String agentSetting, int uid) {
        if ("off".equals(agentSetting)) {
            return "BOSUN_AGENT=off";
        }
        if ("connect".equals(agentSetting)) {
            return "BOSUN_AGENT=connect uses a running agent and starts none";
        }
        if (command == null || command.equals("help") || IN_PROCESS.contains(command)) {
            return "'" + command + "' runs in-process";
        }
        if (uid != 0) {
            return "only root starts an agent (its socket serves root only)";
        }
        return null;
    }

    /** The idle time the started agent gets: {@code BOSUN_AGENT_IDLE_EXIT} seconds (0: never), else the default. */
    static int idleExitSeconds(String setting) {
        if (setting == null || setting.isEmpty()) {
            return DEFAULT_IDLE_EXIT_SECONDS;
        }
        if (!setting.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("BOSUN_AGENT_IDLE_EXIT='" + setting
                    + "' is not a number of seconds; set it to e.g. 300, or 0 for an agent that never idles out");
        }
        return Integer.parseInt(setting);
    }

    /** The wait for a started agent: {@code BOSUN_AGENT_START_TIMEOUT} seconds (0: none), else the default. */
    static long startTimeoutMillis(String setting) {
        if (setting == null || setting.isEmpty()) {
            return DEFAULT_START_TIMEOUT_SECONDS * 1000L;
        }
        if (!setting.matches("0|[1-9]\\d{0,5}")) {
            throw new IllegalArgumentException("BOSUN_AGENT_START_TIMEOUT='" + setting
                    + "' is not a number of seconds; set it to e.g. 10, or 0 to run in-process while the agent boots");
        }
        return Integer.parseInt(setting) * 1000L;
    }

    static Path sibling(Path socket, String suffix) {
        String name = socket.getFileName().toString();
        String base = name.endsWith(".sock") ? name.substring(0, name.length() - ".sock".length()) : name;
        return socket.resolveSibling(base + suffix);
    }

    static Path pidFile(Path socket) {
        return sibling(socket, ".pid");
    }

    static Path lockFile(Path socket) {
        return sibling(socket, ".lock");
    }

    static Path logFile(Path socket) {
        return sibling(socket, ".log");
    }

    /** Starts an agent on a socket, its output to a log; returns its pid. */
    interface Spawner {
        long spawn(Path socket, Path log) throws IOException;

        /** Whether {@code pid} is still an agent starting on {@code socket} (not a reused pid). */
        default boolean isStarting(long pid, Path socket) {
            try {
                String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
                        java.nio.charset.StandardCharsets.UTF_8);
                return cmdline.contains("\0agent\0") && cmdline.contains("\0--socket=" + socket.toAbsolutePath() + "\0");
            } catch (IOException e) {
                return false;
            }
        }
    }

    /**
     * A descriptor connected to an agent ({@code fd} ≥ 0), or why there is none; {@code pid}: the
     * agent this call started ({@code started}) or waited for (another command's start that had
     * timed out), else 0. {@code booting}: no descriptor because the caller asked for no wait and
     * the agent is still booting (not a failure: the command runs in-process).
     */
    record Result(int fd, long pid, boolean started, Path log, String failure, boolean booting) {
        Result(int fd, long pid, boolean started, Path log, String failure) {
            this(fd, pid, started, log, failure, false);
        }
    }

    /**
     * An agent that answers on {@code socket}: the one that already does, or one {@code spawner}
     * starts. Waits at most {@code timeoutMillis} for a started agent to be ready (its pid file
     * names it and its socket answers).
     */
    static Result connectOrStart(Path socket, Spawner spawner, long timeoutMillis) throws IOException {
        int length = socket.toAbsolutePath().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            return new Result(-1, 0, false, null, "the socket path " + socket + " is " + length
                    + " bytes, more than a unix socket's " + MAX_SOCKET_PATH + "; set BOSUN_AGENT_SOCKET to a shorter one");
        }
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Native.load();
        int lock = Native.lockWait(lockFile(socket).toString());
        if (lock < 0) {
            return new Result(-1, 0, false, null, "cannot lock " + lockFile(socket) + ": " + Native.strerror(-lock));
        }
        try {
            int fd = AgentClient.connect(socket);
            if (fd >= 0) {
                return new Result(fd, 0, false, null, null); // started meanwhile by another command, or by hand
            }
            Path log = logFile(socket);
            // A start whose command gave up waiting (a slow machine) may still be under way: wait for
            // it rather than start a second agent that would find the socket taken and exit.
            long pid = readPid(lockFile(socket));
            boolean started = false;
            if (pid <= 0 || !spawner.isStarting(pid, socket)) {
                pid = spawner.spawn(socket, log);
                started = true;
                Files.writeString(lockFile(socket), pid + "\n");
            }
            if (timeoutMillis == 0) {
                return new Result(-1, pid, started, log, null, true);
            }
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            Path pidFile = pidFile(socket);
            while (System.nanoTime() < deadline) {
                if (pid == readPid(pidFile)) {
                    fd = AgentClient.connect(socket);
                    if (fd >= 0) {
                        return new Result(fd, pid, started, log, null);
                    }
                }
                if (!Files.exists(Path.of("/proc/" + pid))) {
                    return new Result(-1, pid, started, log, "the agent " + (started ? "it started" : "being started")
                            + " (pid " + pid + ") exited; see " + log);
                }
                sleep(15);
            }
            return new Result(-1, pid, started, log, "the agent " + (started ? "it started" : "being started")
                    + " (pid " + pid + ") did not answer within " + timeoutMillis / 1000
                    + " s (left to finish starting, set BOSUN_AGENT_START_TIMEOUT to wait longer; see " + log + ")");
        } finally {
            Native.close(lock);
        }
    }

    private static long readPid(Path pidFile) {
        try {
            String s = Files.readString(pidFile).trim();
            return s.matches("\\d{1,10}") ? Long.parseLong(s) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The real spawner: {@code bosun agent --socket=S --idle-exit=N} and the first command's platform
     * options, from {@code /}; with {@code bootAfterCaller} (the caller does not wait for it but runs
     * in-process) also {@code --boot-after=} the caller's pid: on 2 cores the two boots side by side
     * took the first command from 1.6 s to 2.4-6 s under load.
     */
    static Spawner launcher(String script, String[] args, int idleExitSeconds, boolean bootAfterCaller) {
        return (socket, log) -> {
            List<String> argv = new ArrayList<>();
            argv.add(script);
            for (String option : PASSED_OPTIONS) {
                String value = Main.globalOption(args, option, null);
                if (value != null) {
                    // relative to the command's directory, not the agent's (/)
                    argv.add(option + "=" + (value.isEmpty() ? value : Path.of(value).toAbsolutePath().normalize()));
                }
            }
            argv.add("agent");
            argv.add("--socket=" + socket.toAbsolutePath());
            argv.add("--idle-exit=" + idleExitSeconds);
            if (bootAfterCaller) {
                argv.add("--boot-after=" + ProcessHandle.current().pid());
            }
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                if (!e.getKey().equals("BOSUN_AGENT") && !e.getKey().equals("BOSUN_AGENT_SOCKET")
                        && !e.getKey().equals("BOSUN_CDS_TRAINING")) {
                    env.add(e.getKey() + "=" + e.getValue());
                }
            }
            int pid = Native.spawnDetached("/", argv.toArray(String[]::new), env.toArray(String[]::new), log.toString());
            if (pid < 0) {
                throw new IOException("cannot start " + script + " agent: " + Native.strerror(-pid));
            }
            return pid;
        };
    }
}
