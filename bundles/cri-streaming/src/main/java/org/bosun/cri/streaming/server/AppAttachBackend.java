package org.bosun.cri.streaming.server;

import java.util.EnumSet;
import java.util.Set;

import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppIo;
import org.bosun.api.app.AppService;
import org.bosun.cri.streaming.AttachBackend;
import org.bosun.cri.streaming.AttachSession;
import org.bosun.cri.streaming.StreamedProcess;
import org.bosun.cri.streaming.Streams;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Attach through {@code bosun attach}'s own backend: the core's attach command for the app's
 * {@code stream} streams ({@link AppService#attach}), run as an exec session's command is. The
 * client's input goes into the app's stdin FIFO; the app's output, stdout and stderr merged in the
 * order its log holds them, comes back on the client's stdout (its stderr stays empty). Ending the
 * session detaches; the app goes on. A terminal session attaches to a {@code tty} app's terminal
 * ({@link AppService#attachTerminal}): the core's terminal client runs on a pty of the session, so it
 * sees a terminal, puts it in raw mode, and forwards the client's resizes (SIGWINCH) to the app's
 * terminal; a session without a tty to a {@code tty} app relays the bytes as they are.
 */
@Component(service = AttachBackend.class)
public final class AppAttachBackend implements AttachBackend {
    private final AppService apps;

    @Activate
    public AppAttachBackend(@Reference AppService apps) {
        this.apps = apps;
    }

    @Override
    public void check(RuntimePaths paths, AttachSession session) {
        command(paths, session);
    }

    @Override
    public StreamedProcess attach(RuntimePaths paths, AttachSession session) {
        return CommandProcess.start(command(paths, session), session.streams());
    }

    private org.bosun.api.stage1.EngineCommand command(RuntimePaths paths, AttachSession session) {
        Streams s = session.streams();
        if (s.tty()) {
            // the attach client runs on a pty of the session's (CommandProcess): raw mode, and the
            // client's resizes reach it as SIGWINCH, which it forwards to the app's terminal
            return apps.attachTerminal(paths, session.pod(), session.app());
        }
        Set<AppIo.Stream> streams = EnumSet.noneOf(AppIo.Stream.class);
        if (s.stdin()) {
            streams.add(AppIo.Stream.STDIN);
        }
        if (s.stdout()) {
            streams.add(AppIo.Stream.STDOUT);
        }
        if (s.stderr()) {
            streams.add(AppIo.Stream.STDERR);
        }
        return apps.attach(paths, session.pod(), session.app(), streams);
    }
}
