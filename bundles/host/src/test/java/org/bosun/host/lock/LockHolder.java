package org.bosun.host.lock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding an flock, like a running pod's stage1: a shell that opens the file
 * read-write and locks it with util-linux flock(1) on that descriptor (flock(2), as bosun does), then
 * waits for a sleep that shares it. In the test jar, for the tests of every bundle that locks.
 */
public final class LockHolder implements AutoCloseable {
    private final Process process;

    private LockHolder(Process process) {
        this.process = process;
    }

    /** Holds an exclusive lock on {@code lockFile} (made if missing) until closed. */
    public static LockHolder hold(Path lockFile) throws IOException {
        return hold(lockFile, "--exclusive");
    }

    /** Holds a shared lock on {@code lockFile} (made if missing) until closed. */
    public static LockHolder holdShared(Path lockFile) throws IOException {
        return hold(lockFile, "--shared");
    }

    private static LockHolder hold(Path lockFile, String mode) throws IOException {
        // opened read-write, as every holder of a pod's lock opens it (the events watch its release
        // by IN_CLOSE_WRITE); flock(1) given a file would open it read-only
        // "locked" only once the sleep is forked, so that close() finds it among the shell's descendants
        Process p = new ProcessBuilder("sh", "-c", "exec 9<>\"$1\" || exit 1; flock " + mode
                + " --nonblock 9 || exit 1; sleep 30 & echo locked; wait", "sh", lockFile.toString())
                .redirectErrorStream(true).start();
        LockHolder holder = new LockHolder(p);
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
            if (!"locked".equals(line)) {
                throw new IOException("flock did not take " + lockFile + ": " + line);
            }
        } catch (IOException | RuntimeException e) {
            holder.close();
            throw e;
        }
        return holder;
    }

    /**
     * Kills the sleep; the shell reaps it and exits, and the kernel drops the lock when the last of
     * them is gone. Returns only after that.
     */
    @Override
    public void close() {
        try {
            // Until the shell has exited: a child it forks meanwhile (it holds the lock too) is killed as well,
            // rather than orphaned with the lock while the shell is killed (a test then saw the pod RUNNING).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (process.isAlive() && System.nanoTime() < deadline) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
