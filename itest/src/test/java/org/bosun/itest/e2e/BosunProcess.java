package org.bosun.itest.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A started {@code bosun} (or a wrapper that execs it) with its stdout and stderr captured byte
 * for byte by two reader threads; stdout is also offered line by line while it runs.
 */
public final class BosunProcess {
    private static final String EOF = new String("<eof>");

    final List<String> command;
    final Mode mode;
    final Process process;
    private final long startNanos = System.nanoTime();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread outReader;
    private final Thread errReader;

    BosunProcess(List<String> command, Mode mode, Process process) {
        this.command = command;
        this.mode = mode;
        this.process = process;
        this.outReader = reader(process.getInputStream(), out, true, "stdout");
        this.errReader = reader(process.getErrorStream(), err, false, "stderr");
    }

    private Thread reader(InputStream in, ByteArrayOutputStream sink, boolean offerLines, String name) {
        Thread t = new Thread(() -> {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                    if (offerLines) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                lines.add(line.toString(StandardCharsets.UTF_8));
                                line.reset();
                            } else {
                                line.write(buf[i]);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                if (offerLines) {
                    if (line.size() > 0) {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                    }
                    lines.add(EOF);
                }
            }
        }, "bosun-e2e-" + name + "-" + process.pid());
        t.setDaemon(true);
        t.start();
        return t;
    }

    long pid() {
        return process.pid();
    }

    /** The next line the process writes on stdout; fails after {@code timeout} or at end of output. */
    String nextLine(Duration timeout) throws InterruptedException {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no line on stdout within " + timeout.toSeconds() + " s from\n" + snapshot());
        }
        if (line == EOF) {
            lines.add(EOF);
            throw new AssertionError("stdout ended before the expected line\n" + snapshot());
        }
        return line;
    }

    /** Waits until stdout holds {@code text} (a prompt need not end a line); fails after {@code timeout}. */
    void awaitStdout(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (out) {
                if (out.toString(StandardCharsets.UTF_8).contains(text)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("no '" + text + "' on stdout within " + timeout.toSeconds() + " s from\n"
                        + snapshot());
            }
            Thread.sleep(50);
        }
    }

    /** Waits until stderr holds {@code text}; fails after {@code timeout} or when the process ends. */
    void awaitStderr(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (err) {
                if (err.toString(StandardCharsets.UTF_8).contains(text)) {
                    return;
                }
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("no '" + text + "' on stderr within " + timeout.toSeconds() + " s from\n"
                        + snapshot());
            }
            Thread.sleep(20);
        }
    }

    void writeStdin(String text) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write(text.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Waits for the process to end; kills it (and everything below it) and fails after {@code timeout}. */
    BosunResult await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String partial = snapshot();
            killTree();
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s (killed it):\n" + partial);
        }
        // The pipes close when the last holder exits; a leftover grandchild could hold them open.
        outReader.join(5_000);
        errReader.join(5_000);
        return result(process.exitValue());
    }

    /** What the process wrote on stderr so far. */
    String stderrSoFar() {
        synchronized (err) {
            return err.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL to the process and all its descendants. Returns how many processes were still alive. */
    int killTree() {
        int killed = 0;
        ProcessHandle handle = process.toHandle();
        for (ProcessHandle d : handle.descendants().toList()) {
            if (d.isAlive() && d.destroyForcibly()) {
                killed++;
            }
        }
        if (handle.isAlive() && handle.destroyForcibly()) {
            killed++;
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return killed;
    }

    private BosunResult result(int exitCode) {
        String o;
        String e;
        synchronized (out) {
            o = out.toString(StandardCharsets.UTF_8);
        }
        synchronized (err) {
            e = err.toString(StandardCharsets.UTF_8);
        }
        return new BosunResult(command, mode, exitCode, o, e, Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** The output so far, for failure messages. */
    String snapshot() {
        return result(process.isAlive() ? -1 : process.exitValue()).describe();
    }
}
