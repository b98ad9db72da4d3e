package org.bosun.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import picocli.CommandLine;

/**
 * Parses and runs one bosun command. Each call builds its own command tree, so concurrent calls
 * from the agent share nothing but the services.
 */
@Component(service = CommandService.class)
public final class CliCommandService implements CommandService {
    private final BundleContext context;
    /** Command trees ready for reuse; one is taken per call, so concurrent calls never share one. */
    private final java.util.concurrent.ConcurrentLinkedQueue<CommandTree> trees =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record CommandTree(Session session, CommandLine cli) {
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PodService pods;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProviderRegistry providers;

    @Activate
    public CliCommandService(BundleContext context) {
        this.context = context;
    }

    @Override
    public Outcome execute(Invocation invocation, OutputStream stdout, OutputStream stderr) {
        PrintStream out = new PrintStream(stdout, false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, false, StandardCharsets.UTF_8);
        CommandTree tree = trees.poll();
        if (tree == null) {
            Session session = new Session(invocation, out, err, context, pods, providers);
            tree = new CommandTree(session, RootCommand.commandLine(session));
        } else {
            tree.session.rebind(invocation, out, err, pods, providers);
        }
        tree.cli.setOut(new java.io.PrintWriter(out, true));
        tree.cli.setErr(new java.io.PrintWriter(err, true));
        try {
            int code = tree.cli.execute(invocation.args().toArray(new String[0]));
            if (tree.session.plan != null && code == 0) {
                return Outcome.exec(tree.session.plan);
            }
            return Outcome.exit(code);
        } finally {
            out.flush();
            err.flush();
            tree.session.rebind(null, null, null, null, null);
            trees.offer(tree);
        }
    }

    /**
     * One line on stderr for any failure; the exit code says what kind it was.
     *
     * @param command the command after {@code bosun} ({@code image list}), or "" for bosun itself
     */
    static int report(Session session, String command, Exception e) {
        boolean launching = command.equals("run") || command.equals("run-prepared") || command.equals("enter");
        String bosun = command.isEmpty() ? "bosun" : "bosun " + command;
        String denied = session.invocation == null ? null : PrivilegedCommands.permissionDenied(e, session.invocation.uid());
        if (denied != null && (!(e instanceof BosunException be) || be.kind() == ErrorKind.INTERNAL)) {
            session.err.println(bosun + ": " + denied);
            return launching ? RootCommand.LAUNCH_FAILURE : ErrorKind.FAILED_PRECONDITION.exitCode();
        }
        if (e instanceof BosunException be) {
            session.err.println(bosun + ": " + be.getMessage());
            if (session.global != null && session.global.debug && be.getCause() != null) {
                be.getCause().printStackTrace(session.err);
            }
            return launching ? RootCommand.LAUNCH_FAILURE : be.kind().exitCode();
        }
        session.err.println(bosun + ": internal error: " + e
                + " (run with --debug for details; please report it)");
        if (session.global != null && session.global.debug) {
            e.printStackTrace(session.err);
        }
        return launching ? RootCommand.LAUNCH_FAILURE : ErrorKind.INTERNAL.exitCode();
    }
}
