package org.bosun.shell;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.apache.felix.service.command.Process;
import org.bosun.api.ErrorKind;
import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The CLI's verbs as Gogo commands in scope {@code bosun}: {@code bosun:list --format=json} runs
 * {@code bosun list --format=json} with the CLI's command service, so its output, its errors and
 * its exit code are the CLI's. The read verbs and the state-changing ones that need no terminal;
 * {@code run}, {@code enter} and {@code attach} stay with the {@code bosun} command.
 */
@Component(service = CliVerbs.class, immediate = true)
public final class CliVerbs {
    /** The session variable holding the caller's {@link Invocation} (the shell socket sets it per line). */
    public static final String INVOCATION = "bosun.invocation";

    /** Each Gogo command and the CLI words it stands for. */
    static final Map<String, List<String>> VERBS = verbs();

    private static Map<String, List<String>> verbs() {
        Map<String, List<String>> v = new LinkedHashMap<>();
        for (String same : List.of("list", "status", "version", "cat-manifest", "config", "logs", "app", "image",
                "trust", "stop", "rm", "gc", "fetch", "prepare", "export")) {
            v.put(same, List.of(same));
        }
        v.put("images", List.of("image", "list"));
        v.put("engines", List.of("version", "--only=engines"));
        v.put("formats", List.of("version", "--only=formats"));
        v.put("security", List.of("version", "--only=security"));
        v.put("providers", List.of("version", "--only=providers"));
        return Map.copyOf(v);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandService commands;

    private final List<ServiceRegistration<Function>> registrations = new ArrayList<>();

    @Activate
    void activate(BundleContext context) {
        for (Map.Entry<String, List<String>> verb : VERBS.entrySet()) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("osgi.command.scope", "bosun");
            props.put("osgi.command.function", verb.getKey());
            registrations.add(context.registerService(Function.class, function(verb.getValue()), props));
        }
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
    }

    /** The Gogo command that runs {@code bosun WORDS ARGS}. */
    Function function(List<String> words) {
        return (session, args) -> run(session, words, args);
    }

    /** Binds a command service (tests; Declarative Services sets the field itself). */
    void bind(CommandService service) {
        this.commands = service;
    }

    /**
     * Runs the CLI words and the command's arguments; what the CLI prints goes to the current
     * pipe's output. A non-zero exit code is a {@link CommandFailed}: its message is already printed.
     */
    Object run(CommandSession session, List<String> words, List<Object> args) throws CommandFailed {
        Process process = Process.Utils.current();
        PrintStream out = process != null ? process.out() : System.out;
        PrintStream err = process != null ? process.err() : System.err;
        List<String> cli = new ArrayList<>(words);
        for (Object arg : args) {
            cli.add(String.valueOf(arg));
        }
        int code = execute(session, cli, out, err);
        if (code != 0) {
            throw new CommandFailed(code);
        }
        return null;
    }

    /** Runs {@code bosun ARGS} in the caller's context; returns its exit code. */
    int execute(CommandSession session, List<String> args, OutputStream out, PrintStream err) {
        CommandService service = commands;
        if (service == null) {
            err.println("bosun: the shell has no command service right now (the cli bundle org.bosun.cli is"
                    + " being updated or is stopped); try again");
            return ErrorKind.UNAVAILABLE.exitCode();
        }
        Object caller = session == null ? null : session.get(INVOCATION);
        Invocation base = caller instanceof Invocation i ? i : ofThisProcess();
        Invocation invocation = new Invocation(args, base.environment(), base.cwd(), base.uid(), base.gid(),
                base.stdoutTerminal(), base.columns(), base.stderrTerminal());
        Outcome outcome = service.execute(invocation, out, err); // it flushes what it wrote
        if (outcome.plan() != null) {
            err.println("bosun " + String.join(" ", args) + ": needs a terminal of its own; run it with the bosun"
                    + " command instead of the shell");
            return ErrorKind.INVALID_ARGUMENT.exitCode();
        }
        return outcome.exitCode();
    }

    /** The agent's own context, for a Gogo session nobody connected to (the framework's console). */
    static Invocation ofThisProcess() {
        int uid = -1;
        int gid = -1;
        try {
            // /proc/self belongs to this process's effective user and group
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
        } catch (IOException | RuntimeException e) {
            // no procfs: the command service treats the caller as unknown
        }
        return new Invocation(List.of(), System.getenv(), System.getProperty("user.dir", "/"), uid, gid, false, 0);
    }

    /** A bosun command that failed; it printed its one line already, this carries its exit code. */
    public static final class CommandFailed extends Exception {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        CommandFailed(int exitCode) {
            super("exit code " + exitCode);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }
}
