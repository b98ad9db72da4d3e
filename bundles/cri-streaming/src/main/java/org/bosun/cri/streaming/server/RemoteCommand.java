package org.bosun.cri.streaming.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.cri.streaming.StreamedProcess;

/**
 * The remotecommand protocol's session, whatever carries its streams (SPDY streams or WebSocket
 * channels): the client's stdin to the process, the process's stdout and stderr to the client,
 * resize events (JSON {@code {"Width":W,"Height":H}} objects, one after another) to the terminal,
 * and at the end the exit status on the error stream.
 */
final class RemoteCommand {
    private static final Pattern WIDTH = Pattern.compile("\"Width\"\\s*:\\s*(\\d+)");
    private static final Pattern HEIGHT = Pattern.compile("\"Height\"\\s*:\\s*(\\d+)");
    /** How long the output is drained after the process ended (a background child may hold it open). */
    private static final long DRAIN_MILLIS = 5000;

    /** The client's side of the session; a stream it did not ask for is null. */
    record Channels(InputStream stdin, OutputStream stdout, OutputStream stderr, InputStream resize, OutputStream error) {
    }

    private RemoteCommand() {
    }

    static void run(String name, Channels c, Supplier<StreamedProcess> start) throws IOException {
        StreamedProcess p;
        try {
            p = start.get();
        } catch (RuntimeException | LinkageError e) {
            finish(c, ExitStatus.failure(String.valueOf(e.getMessage())));
            return;
        }
        try {
            if (c.stdin() != null) {
                daemon(name + "-stdin", () -> copyThenClose(c.stdin(), p.stdin()));
            }
            if (c.resize() != null) {
                daemon(name + "-resize", () -> resizes(c.resize(), p));
            }
            Thread out = daemon(name + "-stdout", () -> copy(p.stdout(), c.stdout()));
            Thread err = p.stderr() == null ? null : daemon(name + "-stderr", () -> copy(p.stderr(), c.stderr()));
            int code = p.waitFor();
            out.join(DRAIN_MILLIS);
            if (err != null) {
                err.join(DRAIN_MILLIS);
            }
            finish(c, ExitStatus.of(code));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(c, ExitStatus.failure("the streaming server is stopping"));
        } finally {
            p.close();
        }
    }

    private static void finish(Channels c, String status) throws IOException {
        closeQuietly(c.stdout());
        closeQuietly(c.stderr());
        c.error().write(status.getBytes(StandardCharsets.UTF_8));
        c.error().close();
    }

    static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Copies until the end of {@code in}; a client that asked for no such stream gets nothing, and the process's output is drained. */
    static void copy(InputStream in, OutputStream out) {
        byte[] buf = new byte[32 * 1024];
        OutputStream target = out;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (target != null && n > 0) {
                    try {
                        target.write(buf, 0, n);
                        target.flush();
                    } catch (IOException e) {
                        target = null; // the client is gone: keep draining so the process never blocks on a full pipe
                    }
                }
            }
        } catch (IOException e) {
            // the process's side ended
        }
    }

    static void copyThenClose(InputStream in, OutputStream out) {
        // Flushed after every read: a process's stdin is a buffered stream, and an interactive command
        // (an attach, an exec without a tty) must see each line as the client sends it, not at the end.
        byte[] buf = new byte[8 * 1024];
        try (out) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side went away: the process sees the end of its input
        }
    }

    private static void resizes(InputStream in, StreamedProcess p) {
        Reader r = new InputStreamReader(in, StandardCharsets.UTF_8);
        StringBuilder object = new StringBuilder();
        int depth = 0;
        try {
            int ch;
            while ((ch = r.read()) >= 0) {
                if (ch == '{') {
                    depth++;
                }
                if (depth > 0) {
                    object.append((char) ch);
                }
                if (ch == '}' && depth > 0 && --depth == 0) {
                    Matcher w = WIDTH.matcher(object);
                    Matcher h = HEIGHT.matcher(object);
                    if (w.find() && h.find()) {
                        p.resize(Integer.parseInt(w.group(1)), Integer.parseInt(h.group(1)));
                    }
                    object.setLength(0);
                }
                if (object.length() > 4096) {
                    object.setLength(0);
                    depth = 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no more resizes
        }
    }

    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // already closed or gone
            }
        }
    }
}
