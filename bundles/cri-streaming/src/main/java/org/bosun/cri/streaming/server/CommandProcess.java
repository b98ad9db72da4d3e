package org.bosun.cri.streaming.server;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.cri.streaming.Streams;
import org.bosun.cri.streaming.StreamedProcess;

/**
 * The process of an exec session: the command {@code bosun enter} would exec (so the entered command
 * gets the app's whole security context from its engine), started as a child with pipes, or on a
 * pseudo-terminal of its own. On a terminal, {@code setsid --ctty} makes it the controlling terminal
 * of a new session, so the command gets SIGWINCH on a resize and ^C reaches its process group.
 */
final class CommandProcess implements StreamedProcess {
    static final String SETSID = "/usr/bin/setsid";
    private static final File DEV_NULL = new File("/dev/null");

    private final Process process;
    private final Pty pty;

    private CommandProcess(Process process, Pty pty) {
        this.process = process;
        this.pty = pty;
    }

    static CommandProcess start(EngineCommand command, Streams streams) {
        Pty pty = null;
        try {
            List<String> argv = new ArrayList<>();
            ProcessBuilder pb = new ProcessBuilder();
            if (streams.tty()) {
                pty = Pty.open();
                argv.addAll(List.of(SETSID, "--wait", "--ctty"));
                File slave = pty.slave().toFile();
                pb.redirectInput(ProcessBuilder.Redirect.from(slave));
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(slave));
                pb.redirectError(ProcessBuilder.Redirect.appendTo(slave));
            } else {
                if (!streams.stdin()) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
                }
                if (!streams.stdout()) {
                    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
                }
                if (!streams.stderr()) {
                    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
                }
            }
            argv.addAll(command.argv());
            pb.command(argv);
            pb.directory(new File(command.workingDirectory()));
            Map<String, String> env = pb.environment();
            env.clear();
            for (String e : command.environment()) {
                int eq = e.indexOf('=');
                if (eq > 0) {
                    env.put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
            return new CommandProcess(pb.start(), pty);
        } catch (IOException e) {
            if (pty != null) {
                pty.close();
            }
            throw BosunException.internal("cannot start " + String.join(" ", command.argv()) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OutputStream stdin() {
        return pty != null ? pty.input() : process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return pty != null ? pty.output() : process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return pty != null ? null : process.getErrorStream();
    }

    @Override
    public void resize(int columns, int rows) {
        if (pty != null && columns > 0 && rows > 0) {
            pty.resize(columns, rows);
        }
    }

    @Override
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        if (pty != null) {
            pty.close();
        }
    }
}
