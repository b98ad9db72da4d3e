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
                + " its input stays open for the next attach. An app with a terminal (--stdin=tty --stdout=tty"
                + " --stderr=tty) is attached to its terminal: yours in raw mode, its window size following"
                + " yours; detach with ctrl-p ctrl-q (ctrl-c and ctrl-d go to the app). Without a terminal of"
                + " yours the bytes are relayed as they are and the end of your input detaches.",
        footer = {"", "Exit codes: 0 detached or the app exited, 2 no such pod or app, 4 invalid --mode,"
                + " 5 the app does not run, the stream is not 'stream', or --mode=tty to an app without a"
                + " terminal."})
final class AttachCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a unique UUID prefix is enough)")
    String uuid;

    @Option(names = "--app", required = true, paramLabel = "NAME", description = "the app")
    String app;

    @Option(names = "--mode", paramLabel = "STREAMS", split = ",",
            description = "the streams to attach, of stdin, stdout, stderr, or tty alone, the app's terminal"
                    + " (default: the terminal of a tty app, else every stream of the app in mode stream)")
    java.util.List<String> modes = new java.util.ArrayList<>();

    private final Session session;

    AttachCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Set<AppIo.Stream> streams = EnumSet.noneOf(AppIo.Stream.class);
        if (modes.contains("tty")) {
            if (modes.size() > 1) {
                throw BosunException.invalid("--mode=tty is the whole terminal; give it alone, without "
                        + String.join(",", modes.stream().filter(m -> !m.equals("tty")).toList()));
            }
            EngineCommand cmd = session.apps(s -> s.attachTerminal(session.paths(), uuid, app));
            session.plan = new ExecPlan(cmd.argv(), cmd.environment(), cmd.workingDirectory(), null);
            session.debug("attaching to the terminal of app " + app + " of pod " + uuid);
            return 0;
        }
        for (String m : modes) {
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
