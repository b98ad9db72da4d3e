package org.bosun.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.bosun.command.protocol.ExecPlan;

/**
 * Replaces this process with an {@link ExecPlan}. This is how {@code bosun run} becomes the pod:
 * same pid, same cgroup, same terminal, and no JVM left behind.
 */
final class Exec {
    private static final int EWOULDBLOCK = 11;
    private static final int ENOENT = 2;
    private static final int CLAIM_RETRIES = 50;
    private static final long CLAIM_RETRY_MILLIS = 10;

    private Exec() {
    }

    /** Claims the pod if the plan says so, then execs. Returns only by throwing. */
    static void become(ExecPlan plan) throws IOException {
        Native.load();
        int keepFd = -1;
        if (plan.claim() != null) {
            keepFd = claim(plan.claim());
        }
        String[] argv = plan.argv().toArray(new String[0]);
        String[] env = plan.environment().toArray(new String[0]);
        System.out.flush();
        System.err.flush();
        int err = -Native.exec(plan.cwd(), argv, env, keepFd);
        throw new IOException("cannot execute " + argv[0] + " in " + plan.cwd() + ": " + Native.strerror(err));
    }

    /** Locks the pod, moves it to run/ and records this process as the pod's; returns the lock's descriptor. */
    static int claim(ExecPlan.Claim claim) throws IOException {
        int fd = Native.lockExclusive(claim.lockFile());
        // A process the agent forked (for another pod) while it still held this pod's lock holds a
        // copy of it until its exec closes it; under load that can outlast the agent's answer by a
        // few milliseconds. A pod really in use holds its lock far longer than this.
        for (int attempt = 0; fd == -EWOULDBLOCK && attempt < CLAIM_RETRIES; attempt++) {
            sleep(CLAIM_RETRY_MILLIS);
            fd = Native.lockExclusive(claim.lockFile());
        }
        if (fd == -EWOULDBLOCK) {
            throw new IOException("pod " + claim.uuid() + " is in use by another bosun process; see 'bosun status "
                    + claim.uuid() + "'");
        }
        if (fd == -ENOENT) {
            throw new IOException("pod " + claim.uuid() + " is no longer prepared; another command started or removed it");
        }
        if (fd < 0) {
            throw new IOException("cannot lock pod " + claim.uuid() + " (" + claim.lockFile() + "): " + Native.strerror(-fd));
        }
        try {
            Files.move(Path.of(claim.from()), Path.of(claim.to()), StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            throw new IOException("pod " + claim.uuid() + " is no longer prepared; another command started or removed it");
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot move pod " + claim.uuid() + " to " + claim.to() + ": " + e.getMessage());
        }
        Path pidFile = Path.of(claim.pidFile());
        Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
        Files.write(tmp, (pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, pidFile, StandardCopyOption.ATOMIC_MOVE);
        return fd;
    }

    /**
     * This process's pid, from /proc/self: {@code ProcessHandle.current()} would start the JDK's
     * process reaper machinery, lambdas and a thread pool, which costs an interpreted client about
     * 8 ms of every {@code bosun run}.
     */
    static long pid() throws IOException {
        return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the pod's lock");
        }
    }
}
