package org.bosun.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.bosun.launch.ExecPlan;

import jnr.constants.platform.Fcntl;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Replaces this process with an {@link ExecPlan}. This is how {@code bosun run} becomes the pod:
 * same pid, same cgroup, same terminal, and no JVM left behind.
 */
final class Exec {
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    private Exec() {
    }

    /** Claims the pod if the plan says so, then execs. Returns only by throwing. */
    static void become(ExecPlan plan) throws IOException {
        POSIX posix = POSIXFactory.getNativePOSIX();
        int keepFd = -1;
        if (plan.claim() != null) {
            keepFd = claim(posix, plan.claim());
        }
        closeOnExec(posix, keepFd);
        if (posix.chdir(plan.cwd()) != 0) {
            throw new IOException("cannot change to directory " + plan.cwd() + ": " + posix.strerror(posix.errno()));
        }
        String[] argv = plan.argv().toArray(new String[0]);
        String[] env = plan.environment().toArray(new String[0]);
        System.out.flush();
        System.err.flush();
        posix.execve(argv[0], argv, env);
        throw new IOException("cannot execute " + argv[0] + ": " + posix.strerror(posix.errno()));
    }

    private static int claim(POSIX posix, ExecPlan.Claim claim) throws IOException {
        int fd = posix.open(claim.lockFile(), OpenFlags.O_RDWR.intValue(), 0600);
        if (fd < 0) {
            throw new IOException("pod " + claim.uuid() + " is not prepared (cannot open " + claim.lockFile() + ": "
                    + posix.strerror(posix.errno()) + "); see 'bosun list'");
        }
        if (posix.flock(fd, LOCK_EX | LOCK_NB) != 0) {
            throw new IOException("pod " + claim.uuid() + " is in use by another bosun process; see 'bosun status "
                    + claim.uuid() + "'");
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
        Files.write(tmp, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, pidFile, StandardCopyOption.ATOMIC_MOVE);
        return fd;
    }

    /** The JVM's own descriptors (jars, sockets, the cache lock) must not leak into the pod. */
    private static void closeOnExec(POSIX posix, int keepFd) throws IOException {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : fds) {
                int fd = Integer.parseInt(p.getFileName().toString());
                if (fd > 2 && fd != keepFd) {
                    posix.fcntlInt(fd, Fcntl.F_SETFD, 1);
                }
            }
        }
        if (keepFd >= 0) {
            posix.fcntlInt(keepFd, Fcntl.F_SETFD, 0);
        }
    }
}
