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
        Process p = new ProcessBuilder("sh", "-c", "exec 9<>\"$1\" || exit 1; flock " + mode
                + " --nonblock 9 || exit 1; echo locked; sleep 30 & wait", "sh", lockFile.toString())
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
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
