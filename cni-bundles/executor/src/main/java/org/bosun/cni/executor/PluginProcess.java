package org.bosun.cni.executor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one plugin binary: CNI variables in the environment, configuration on stdin, result or
 * error on stdout, logs on stderr. A plugin that runs longer than its timeout is killed with every
 * process it started (an IPAM plugin, iptables).
 */
final class PluginProcess implements AutoCloseable {
    /** What a plugin call left behind. */
    record Outcome(int exitCode, byte[] stdout, String stderr, boolean timedOut, long millis) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Plugins find iptables, ip6tables and modprobe through PATH, which may lack the sbin directories. */
    private static final String SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ExecutorService io = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bosun-cni-plugin-io");
        t.setDaemon(true);
        return t;
    });

    Outcome run(Path binary, Map<String, String> cniEnvironment, byte[] stdin, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(binary.toString());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("CNI_"));
        String path = env.get("PATH");
        env.put("PATH", path == null || path.isBlank() ? SBIN_PATH
                : path.contains("/usr/sbin") ? path : path + ":" + SBIN_PATH);
        env.putAll(cniEnvironment);
        long start = System.nanoTime();
        Process process = builder.start();
        Future<byte[]> out = io.submit(() -> readAll(process.getInputStream()));
        Future<byte[]> err = io.submit(() -> readAll(process.getErrorStream()));
        // Written on its own thread: a plugin that never reads a large stdin must not block the timeout.
        io.submit(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException exitedEarly) {
                // the plugin closed stdin or exited; its exit status tells what happened
            }
        });
        boolean finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (!finished) {
            kill(process);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        byte[] stdout = collect(out);
        String stderr = new String(collect(err), StandardCharsets.UTF_8);
        return new Outcome(finished ? process.exitValue() : -1, stdout, stderr, !finished, millis);
    }

    private static void kill(Process process) throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** A plugin's daemon child could keep the pipe open after the plugin exited: wait a little, not forever. */
    private static byte[] collect(Future<byte[]> output) throws InterruptedException {
        try {
            return output.get(2, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            output.cancel(true);
            return new byte[0];
        }
    }

    @Override
    public void close() {
        io.shutdownNow();
    }
}
