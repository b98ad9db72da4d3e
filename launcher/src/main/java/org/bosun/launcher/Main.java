package org.bosun.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;

/**
 * The {@code bosun} command. It parses nothing but the command's name: with an agent listening it
 * hands the whole invocation over the agent's socket; without one it boots the smallest feature
 * that serves the command in this JVM and calls the same command service. Either way an
 * {@link Outcome} comes back: an exit code, or a process to become.
 */
public final class Main {
    /** Exit code when bosun itself fails to start a command, like podman's 125. */
    static final int LAUNCH_FAILURE = 125;
    static final Path DEFAULT_SOCKET = Path.of("/run/bosun/agent.sock");
    private static final Set<String> GLOBAL_OPTIONS_WITH_VALUE =
            Set.of("--dir", "--local-config", "--system-config", "--insecure-options", "--user-config");

    private Main() {
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        Timing.mark("launcher main entered");
        boolean debug = List.of(args).contains("--debug");
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        try {
            String command = commandName(args);
            if ("agent".equals(command)) {
                if (CallerIds.ofThisProcess().uid() != 0) {
                    stderr.println("bosun agent: needs root (it runs pods for root and serves a root-only socket);"
                            + " run it as root");
                    Runtime.getRuntime().halt(5);
                }
                AgentMain.run(args, debug);
                return;
            }
            if ("api-service".equals(command)) {
                ApiServiceMain.run(args, debug);
                return;
            }
            if ("metadata-service".equals(command)) {
                if (CallerIds.ofThisProcess().uid() != 0) {
                    stderr.println("bosun metadata-service: needs root (it reads the pods' root-only registrations);"
                            + " run it as root");
                    Runtime.getRuntime().halt(7);
                }
                MetadataServiceMain.run(args, debug);
                return;
            }
            if ("shell".equals(command)) {
                int code = ShellClient.run(args, System.in, stdout, stderr);
                stdout.flush();
                stderr.flush();
                Runtime.getRuntime().halt(code);
            }
            Invocation invocation = invocation(args, -1, -1);
            String training = System.getenv("BOSUN_CDS_TRAINING");
            if ("1".equals(training)) {
                CdsTraining.exerciseAgentClient(invocation);
            } else if (CdsTraining.CLIENT.equals(training)) {
                // the client archive's run: the agent client's path and nothing else, then the dump at exit
                CdsTraining.exerciseAgentClient(invocation);
                Runtime.getRuntime().halt(0);
            }
            Outcome outcome = null;
            String agentSetting = System.getenv("BOSUN_AGENT");
            if (!"off".equals(agentSetting)) {
                Path socket = agentSocket();
                int fd = AgentClient.connect(socket);
                if (fd < 0) {
                    fd = startAgent(command, agentSetting, socket, args, debug, stderr);
                }
                if (fd >= 0) {
                    if (debug) {
                        stderr.println("bosun: handing '" + command + "' to the agent at " + socket);
                    }
                    outcome = AgentClient.call(fd, invocation, stdout, stderr);
                }
            }
            EmbeddedPlatform platform = null;
            if (outcome == null && "1".equals(System.getProperty("bosun.client"))) {
                // Started as a fast client, but no agent answered: boot the platform with a compiler.
                rerunWithoutAgent(args);
            }
            if (outcome == null) {
                Distribution dist = Distribution.locate();
                Assembly assembly = Assembly.forCommand(dist, command, configurationFolders(args))
                        .withExtensions(Extensions.dataDir(args));
                Timing.mark("feature '" + assembly.featureName() + "' chosen");
                // The events feature turns bundle events into bosun events: its SCR is never restarted to write the cache.
                boolean writeScrCache = assembly.bundles().stream().noneMatch(b -> b.id().contains(":bosun-events:"));
                platform = EmbeddedPlatform.boot(dist, assembly, frameworkProperties(debug), writeScrCache);
                CommandService service = platform.commandService(60_000);
                Timing.mark("command service up (bundles started, components activated)");
                invocation = withCallerIds(invocation);
                if (debug) {
                    stderr.println("bosun: feature '" + assembly.featureName() + "' ready in " + (System.nanoTime() - start) / 1_000_000 + " ms");
                }
                outcome = service.execute(invocation, stdout, stderr);
                Timing.mark("command executed");
                if ("1".equals(training)) {
                    CdsTraining.exerciseCommands(service, invocation);
                }
            }
            stdout.flush();
            stderr.flush();
            if (outcome.plan() != null) {
                Exec.become(outcome.plan());
            }
            if (platform != null) {
                platform.release();
            }
            // One-shot commands do not stop the framework gracefully: that would add a second.
            if (Timing.on()) {
                // exit, not halt: a flight recording (BOSUN_JAVA_OPTS=-XX:StartFlightRecording=...) is dumped at exit
                System.exit(outcome.exitCode());
            }
            Runtime.getRuntime().halt(outcome.exitCode());
        } catch (Exception | Error e) {
            // an Error too: the framework's non-daemon threads would keep a JVM whose main ended alive for ever
            stdout.flush();
            stderr.println("bosun: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (debug) {
                e.printStackTrace(stderr);
            }
            stderr.flush();
            Runtime.getRuntime().halt(LAUNCH_FAILURE);
        }
    }

    /**
     * No agent answers: starts one if this command may (root, not BOSUN_AGENT=off or connect, not a
     * command that runs in-process) and returns a descriptor connected to it; -1 to run in-process.
     */
    private static int startAgent(String command, String agentSetting, Path socket, String[] args, boolean debug,
            PrintStream stderr) throws IOException {
        String why = AgentStarter.whyNot(command, agentSetting, CallerIds.ofThisProcess().uid());
        if (why != null) {
            if (debug && !"off".equals(agentSetting)) {
                stderr.println("bosun: no agent answers at " + socket + " and none is started (" + why + ")");
            }
            return -1;
        }
        int idle = AgentStarter.idleExitSeconds(System.getenv("BOSUN_AGENT_IDLE_EXIT"));
        long t0 = System.nanoTime();
        long timeout = AgentStarter.startTimeoutMillis(System.getenv("BOSUN_AGENT_START_TIMEOUT"));
        AgentStarter.Result r = AgentStarter.connectOrStart(socket,
                AgentStarter.launcher(System.getProperty("bosun.home") + "/bin/bosun", args, idle, timeout == 0), timeout);
        if (debug) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (r.fd() >= 0 && r.started()) {
                stderr.println("bosun: started an agent (pid " + r.pid() + ") at " + socket + " in " + ms + " ms; it exits after "
                        + (idle == 0 ? "no idle time (never)" : idle + " s without a command") + "; its log: " + r.log());
            } else if (r.fd() >= 0) {
                stderr.println("bosun: an agent started meanwhile answers at " + socket + " (waited " + ms + " ms)");
            } else if (r.booting()) {
                stderr.println("bosun: " + (r.started() ? "started an agent" : "an agent is starting") + " (pid " + r.pid()
                        + ") at " + socket + "; '" + command + "' runs in-process while it boots, the next commands go"
                        + " through it; it exits after " + (idle == 0 ? "no idle time (never)" : idle + " s without a command")
                        + "; its log: " + r.log());
            } else {
                stderr.println("bosun: could not start an agent: " + r.failure() + "; running '" + command + "' in-process");
            }
        }
        return r.fd();
    }

    private static void rerunWithoutAgent(String[] args) throws IOException {
        String script = System.getProperty("bosun.script");
        List<String> argv = new ArrayList<>();
        argv.add(script);
        argv.addAll(List.of(args));
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!e.getKey().equals("BOSUN_AGENT")) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        env.add("BOSUN_AGENT=off");
        Exec.become(new org.bosun.command.protocol.ExecPlan(argv, env, System.getProperty("user.dir"), null));
    }

    static Path agentSocket() {
        String env = System.getenv("BOSUN_AGENT_SOCKET");
        return env != null && !env.isEmpty() ? Path.of(env) : DEFAULT_SOCKET;
    }

    static Map<String, String> frameworkProperties(boolean debug) {
        Map<String, String> props = new HashMap<>();
        // Framework and SCR diagnostics would change the command's output; --debug shows them.
        props.put("felix.log.level", debug ? "2" : "0");
        props.put("ds.loglevel", debug ? "warn" : "error");
        return props;
    }

    /**
     * The operator's folders of component configurations: {@code configurations.d} under the system
     * and then the local configuration directory, as this command names them. They are read when a
     * platform starts: by every command that boots one, by the agent once, at its own start.
     */
    static List<Path> configurationFolders(String[] args) {
        return List.of(Path.of(globalOption(args, "--system-config", "/usr/lib/bosun")).resolve(Configurations.FOLDER),
                Path.of(globalOption(args, "--local-config", "/etc/bosun")).resolve(Configurations.FOLDER));
    }

    /** The last value of a global option before {@code --} (the CLI takes them anywhere), else {@code otherwise}. */
    static String globalOption(String[] args, String name, String otherwise) {
        String value = otherwise;
        for (int i = 0; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                value = args[++i];
            } else if (args[i].startsWith(name + "=")) {
                value = args[i].substring(name.length() + 1);
            }
        }
        return value;
    }

    static boolean isGlobalOption(String arg) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        return name.equals("--debug") || GLOBAL_OPTIONS_WITH_VALUE.contains(name);
    }

    static boolean takesSeparateValue(String arg) {
        return !arg.contains("=") && GLOBAL_OPTIONS_WITH_VALUE.contains(arg);
    }

    /** The first word that is not an option (or an option's value) names the command. */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                return null;
            }
            if (arg.startsWith("-")) {
                if (!arg.contains("=") && GLOBAL_OPTIONS_WITH_VALUE.contains(arg)) {
                    i++;
                }
                continue;
            }
            return arg;
        }
        return null;
    }

    /** In-process, the caller is this process; the agent learns it from SO_PEERCRED instead. */
    private static Invocation withCallerIds(Invocation invocation) {
        CallerIds ids = CallerIds.ofThisProcess();
        return new Invocation(invocation.args(), invocation.environment(), invocation.cwd(), ids.uid(), ids.gid(),
                invocation.stdoutTerminal(), invocation.columns(), invocation.stderrTerminal());
    }

    private static Invocation invocation(String[] args, int uid, int gid) {
        int columns = 0;
        String cols = System.getenv("COLUMNS");
        if (cols != null && cols.matches("\\d{1,4}")) {
            columns = Integer.parseInt(cols);
        }
        return new Invocation(List.of(args), System.getenv(), System.getProperty("user.dir"), uid, gid,
                System.console() != null, columns, stderrIsTerminal());
    }

    /** The JDK only tells whether stdin and stdout are terminals; fd 2 is a terminal if it is a tty device. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
