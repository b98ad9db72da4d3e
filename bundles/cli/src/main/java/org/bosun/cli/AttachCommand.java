package org.bosun.cli;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.app.AppIo;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.command.protocol.ExecPlan;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bosun attach}: the caller's standard streams joined to those of a running app added with
 * {@code stream} modes. bosun becomes the attaching process (as with enter), in-process and through
 * the agent alike.
 */
@Command(name = "attach",
        description = "Attach to a running app's stream streams (bosun app add --stdin=stream --stdout=stream):"
                + " your input goes to its stdin, its output (stdout and stderr, as its log has them) to your"
                + " stdout. Detach with the end of your input (ctrl-d) or ctrl-c: the app keeps running, and"
                + " its input stays open for the next attach.",
        footer = {"", "Exit codes: 0 detached or the app exited, 2 no such pod or app, 4 invalid --mode,"
                + " 5 the app does not run or the stream is not 'stream', 8 tty (not implemented)."})
final class AttachCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a unique UUID prefix is enough)")
    String uuid;

    @Option(names = "--app", required = true, paramLabel = "NAME", description = "the app")
    String app;

    @Option(names = "--mode", paramLabel = "STREAMS", split = ",",
            description = "the streams to attach, of stdin, stdout, stderr (default: every stream of the app in mode"
                    + " stream)")
    java.util.List<String> modes = new java.util.ArrayList<>();

    private final Session session;

    AttachCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Set<AppIo.Stream> streams = EnumSet.noneOf(AppIo.Stream.class);
        for (String m : modes) {
            if (m.equals("tty")) {
                throw BosunException.notImplemented("--mode=tty: apps with a terminal are not implemented yet;"
                        + " attach to stream streams with --mode=stdin,stdout");
            }
            AppIo.Stream stream = null;
            for (AppIo.Stream s : AppIo.Stream.values()) {
                if (s.label().equals(m)) {
                    stream = s;
                }
            }
            if (stream == null) {
                throw BosunException.invalid("--mode=" + m + " is not a stream; give stdin, stdout or stderr, separated"
                        + " by commas");
            }
            streams.add(stream);
        }
        EngineCommand cmd = session.apps(s -> s.attach(session.paths(), uuid, app, streams));
        session.plan = new ExecPlan(cmd.argv(), cmd.environment(), cmd.workingDirectory(), null);
        session.debug("attaching to app " + app + " of pod " + uuid);
        return 0;
    }
}
