package org.bosun.api.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bosun.api.BosunException;

/**
 * How an added app's standard streams are connected (rkt's {@code app add --stdin/--stdout/--stderr}).
 * The core records the modes in the app's directory, {@code apps/NAME/}{@value #FILE}, one line per
 * stream ({@code stdin stream}), before the engine adds the app; the engine reads them there, so an
 * engine bundle of a later version starts the app as the one that added it would have. An app with
 * the default modes may have no such file.
 * <p>
 * The modes: {@code null}, the stream is /dev/null; {@code log}, output is kept in the app's log
 * ({@code apps/NAME/log}, what {@code bosun logs --app} shows); {@code stream}, attachable: an
 * input stream is the FIFO {@code apps/NAME/}{@value #STDIN_FIFO}, which the engine makes when it
 * starts the app and gives the app opened for reading and writing, so the app's input never ends
 * however many callers attach and detach; an output stream is kept in the log as with {@code log}
 * (so nothing is lost while no one is attached) and an attached caller follows it; {@code tty}, the
 * app gets a terminal, for all three streams or none (rkt's rule). Since 1.1 the engine keeps the
 * terminal's master side for the app's whole life and serves it on the unix stream socket
 * {@code apps/NAME/}{@value #TTY_SOCKET} (named relative to the pod's directory: unix socket paths
 * are at most 107 bytes): what the terminal writes goes into the app's log as {@code log} output
 * does, and to every connected client as raw bytes; a client writes frames of a type byte and a
 * payload: {@code 'd'}, a 2-byte big-endian length and that many bytes of input; {@code 'w'}, the
 * 2-byte big-endian rows and columns of its window, which the engine sets on the terminal. The
 * engine closes its clients when the app has exited.
 * <p>
 * Since 1.1 the output may also be kept in a file of the host in the Kubernetes CRI log format
 * ({@code criLog}, a line {@code cri-log PATH}): each line of either stream as
 * {@code RFC3339Nano-timestamp stdout|stderr P|F text}, a line longer than the engine's maximum
 * split into {@code P} parts and a last {@code F} one. It is written by whatever owns the app's
 * output in the pod (the oci engine: the pod's supervisor), not by the caller that added it, and
 * {@link AppService#reopenLog} has it open that path again after it was renamed. A terminal's output
 * is all {@code stdout} there, as the CRI has it for a container with a tty.
 * <p>
 * Since 1.2 a {@code stream} stdin may be attached to once ({@code stdinOnce}, a line
 * {@value #STDIN_ONCE}; the CRI's {@code stdin_once}): it is open from the app's start, empty until
 * the first attach that writes it, and closed when that attach ends, so the app reads the end of its
 * input; later attaches get no stdin. The engine makes the FIFO {@value #STDIN_FIFO} as for any
 * {@code stream} stdin, but the app opens it for reading only, and a holder of the engine's keeps it
 * open for writing (so that the app neither waits in its open nor reads an end of file) until one
 * byte is written into the FIFO {@code apps/NAME/}{@value #STDIN_RELEASE}, which the engine makes
 * beside it: then the holder closes its end. The first attach claims the stdin by creating the file
 * {@code apps/NAME/}{@value #STDIN_CLAIM} (exclusively: an attach that cannot create it gets no
 * stdin), opens the stdin FIFO for writing, and only then writes the release byte: its end is the
 * app's last writer from then on, and its end of input (or detach) is the app's.
 *
 * @param stdin {@link Mode#NULL} or {@link Mode#STREAM} (or {@link Mode#TTY})
 * @param stdout any mode
 * @param stderr any mode
 * @param criLog an absolute host path for the output in the CRI log format, or null
 * @param stdinOnce whether a {@code stream} stdin is closed when its first attach ends
 */
public record AppIo(Mode stdin, Mode stdout, Mode stderr, String criLog, boolean stdinOnce) {
    /** rkt's defaults: no input, output in the log. */
    public static final AppIo DEFAULT = new AppIo(Mode.NULL, Mode.LOG, Mode.LOG);
    /** The file in the app's directory that records the modes. */
    public static final String FILE = "io";
    /** The FIFO in the app's directory that is a {@code stream} app's standard input. */
    public static final String STDIN_FIFO = "stdin";
    /** The unix socket in the app's directory on which a {@code tty} app's terminal is attached to. */
    public static final String TTY_SOCKET = "tty";
    /** The line of {@value #FILE} that makes a {@code stream} stdin one attached to once. */
    public static final String STDIN_ONCE = "stdin-once";
    /** The FIFO in the app's directory whose first byte has the holder of a once stdin close its end. */
    public static final String STDIN_RELEASE = "stdin-release";
    /** The file in the app's directory whose creation claims a once stdin for one attach. */
    public static final String STDIN_CLAIM = "stdin-claimed";
    private static final String CRI_LOG = "cri-log";

    /** The modes, with no CRI log. */
    public AppIo(Mode stdin, Mode stdout, Mode stderr) {
        this(stdin, stdout, stderr, null);
    }

    /** The modes and CRI log, the stdin (if {@code stream}) attachable any number of times. */
    public AppIo(Mode stdin, Mode stdout, Mode stderr, String criLog) {
        this(stdin, stdout, stderr, criLog, false);
    }

    public AppIo {
        stdin = stdin == null ? DEFAULT.stdin : stdin;
        stdout = stdout == null ? DEFAULT.stdout : stdout;
        stderr = stderr == null ? DEFAULT.stderr : stderr;
        if (stdin == Mode.LOG) {
            throw BosunException.invalid("--stdin=log is not a mode of an input; give --stdin=null, stream or tty");
        }
        boolean tty = stdin == Mode.TTY || stdout == Mode.TTY || stderr == Mode.TTY;
        if (tty && (stdin != Mode.TTY || stdout != Mode.TTY || stderr != Mode.TTY)) {
            throw BosunException.invalid("a terminal is all three streams of an app or none:"
                    + " give --stdin=tty --stdout=tty --stderr=tty");
        }
        if (criLog != null && (!criLog.startsWith("/") || criLog.indexOf('\n') >= 0 || criLog.indexOf('\0') >= 0
                || criLog.endsWith("/"))) {
            throw BosunException.invalid("the CRI log path '" + criLog + "' is not an absolute path of a file;"
                    + " give one such as /var/log/pods/POD/NAME/0.log");
        }
        if (stdinOnce && stdin != Mode.STREAM) {
            throw BosunException.invalid("only a stream stdin can be attached to once; give --stdin=stream, not "
                    + stdin.label());
        }
    }

    /** These modes, the output also kept at {@code path} in the CRI log format. */
    public AppIo withCriLog(String path) {
        return new AppIo(stdin, stdout, stderr, path, stdinOnce);
    }

    /** These modes, the {@code stream} stdin closed when its first attach ends. */
    public AppIo withStdinOnce() {
        return new AppIo(stdin, stdout, stderr, criLog, true);
    }

    /** The modes of an app's standard streams. */
    public enum Mode {
        /** /dev/null. */
        NULL,
        /** Output kept in the app's log. */
        LOG,
        /** Attachable; output kept in the log as well. */
        STREAM,
        /** A terminal. */
        TTY;

        /** The name users give: {@code null}, {@code log}, {@code stream}, {@code tty}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mode a user named, or an {@code INVALID_ARGUMENT} saying which flag was wrong. */
        public static Mode of(String label, String flag) {
            for (Mode m : values()) {
                if (m.label().equals(label)) {
                    return m;
                }
            }
            throw BosunException.invalid(flag + "=" + label + " is not a mode; give null, log, stream or tty");
        }
    }

    /** The standard streams, as {@code bosun attach --mode} names them. */
    public enum Stream {
        STDIN, STDOUT, STDERR;

        /** {@code stdin}, {@code stdout}, {@code stderr}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The mode of one stream. */
    public Mode mode(Stream stream) {
        return switch (stream) {
        case STDIN -> stdin;
        case STDOUT -> stdout;
        case STDERR -> stderr;
        };
    }

    /** Whether the app has a terminal (all three streams {@code tty}). */
    public boolean tty() {
        return stdin == Mode.TTY;
    }

    /** The streams a caller may attach to ({@code stream} or {@code tty}). */
    public List<Stream> attachable() {
        List<Stream> result = new ArrayList<>();
        for (Stream s : Stream.values()) {
            if (mode(s) == Mode.STREAM || mode(s) == Mode.TTY) {
                result.add(s);
            }
        }
        return List.copyOf(result);
    }

    /** The text of {@value #FILE}. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (Stream s : Stream.values()) {
            sb.append(s.label()).append(' ').append(mode(s).label()).append('\n');
        }
        if (criLog != null) {
            sb.append(CRI_LOG).append(' ').append(criLog).append('\n');
        }
        if (stdinOnce) {
            sb.append(STDIN_ONCE).append('\n');
        }
        return sb.toString();
    }

    /** The modes {@link #text()} wrote; a line it did not write is refused. */
    public static AppIo parse(String text) {
        Mode[] modes = {DEFAULT.stdin, DEFAULT.stdout, DEFAULT.stderr};
        String criLog = null;
        boolean once = false;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.equals(STDIN_ONCE)) {
                once = true;
                continue;
            }
            if (line.startsWith(CRI_LOG + " ")) {
                criLog = line.substring(CRI_LOG.length() + 1);
                continue;
            }
            String[] kv = line.trim().split(" ", 2);
            Stream stream = null;
            for (Stream s : Stream.values()) {
                if (s.label().equals(kv[0])) {
                    stream = s;
                }
            }
            if (stream == null || kv.length != 2) {
                throw BosunException.invalid("'" + line + "' is not a line 'STREAM MODE' of an app's " + FILE + " file");
            }
            modes[stream.ordinal()] = Mode.of(kv[1], "--" + kv[0]);
        }
        return new AppIo(modes[0], modes[1], modes[2], criLog, once);
    }

    /**
     * The modes the core recorded in an app's directory ({@code apps/NAME/}): its {@value #FILE} file,
     * or {@link #DEFAULT} when there is none. For engines, which read it when they add or start the app.
     */
    public static AppIo read(Path appDirectory) {
        Path file = appDirectory.resolve(FILE);
        try {
            return Files.isRegularFile(file) ? parse(Files.readString(file)) : DEFAULT;
        } catch (IOException e) {
            throw BosunException.internal("cannot read the I/O modes of app " + appDirectory.getFileName() + " in "
                    + file + ": " + e.getMessage(), e);
        }
    }
}
