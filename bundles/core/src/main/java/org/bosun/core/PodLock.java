package org.bosun.core;

import java.nio.file.Path;

import org.bosun.api.BosunException;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;

/**
 * An flock(2) on a pod's {@code pod.lck}. The lock belongs to the open file, so it survives the
 * pod directory's renames and an execve of the holder, and the kernel drops it when the last
 * holder dies: that is what makes "running" mean "its process is alive".
 */
final class PodLock implements AutoCloseable {
    static final String FILE_NAME = "pod.lck";
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    private final POSIX posix;
    private int fd;

    private PodLock(POSIX posix, int fd) {
        this.posix = posix;
        this.fd = fd;
    }

    /** Creates the lock file in {@code podDir} and takes it exclusively. */
    static PodLock create(POSIX posix, Path podDir) {
        int fd = posix.open(podDir.resolve(FILE_NAME).toString(),
                OpenFlags.O_RDWR.intValue() | OpenFlags.O_CREAT.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0600);
        if (fd < 0) {
            throw BosunException.internal("cannot create " + podDir.resolve(FILE_NAME) + ": "
                    + posix.strerror(posix.errno()), null);
        }
        PodLock lock = new PodLock(posix, fd);
        if (!lock.tryLock(LOCK_EX)) {
            lock.close();
            throw BosunException.internal("a new pod's lock " + podDir.resolve(FILE_NAME) + " is taken", null);
        }
        return lock;
    }

    /** Takes the pod's lock exclusively without waiting; null when someone holds it (or the pod is gone). */
    static PodLock tryExclusive(POSIX posix, Path podDir) {
        return tryTake(posix, podDir, LOCK_EX);
    }

    /**
     * Takes the pod's lock shared without waiting; null when someone holds it exclusively (the pod
     * runs, or gc or rm is collecting it) or the pod is gone. Commands that only release what an
     * exited pod held take it so: a status probe meanwhile still sees the pod exited.
     */
    static PodLock tryShared(POSIX posix, Path podDir) {
        return tryTake(posix, podDir, LOCK_SH);
    }

    /**
     * Takes an exclusive lock on {@code file} (created if missing), waiting for its holder: for a
     * short critical section shared by every bosun command on the host.
     */
    static PodLock waitExclusive(POSIX posix, Path file) {
        int fd = posix.open(file.toString(),
                OpenFlags.O_RDWR.intValue() | OpenFlags.O_CREAT.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0600);
        if (fd < 0) {
            throw BosunException.internal("cannot open " + file + ": " + posix.strerror(posix.errno()), null);
        }
        PodLock lock = new PodLock(posix, fd);
        if (posix.flock(fd, LOCK_EX) != 0) {
            String error = posix.strerror(posix.errno());
            lock.close();
            throw BosunException.internal("cannot lock " + file + ": " + error, null);
        }
        return lock;
    }

    /** Whether some process holds the pod's lock now. */
    static boolean isHeld(POSIX posix, Path podDir) {
        PodLock probe = tryTake(posix, podDir, LOCK_SH);
        if (probe == null) {
            // Either held, or the pod moved away meanwhile: only "held" matters to callers that found it.
            return java.nio.file.Files.exists(podDir.resolve(FILE_NAME));
        }
        probe.close();
        return false;
    }

    private static PodLock tryTake(POSIX posix, Path podDir, int mode) {
        int fd = posix.open(podDir.resolve(FILE_NAME).toString(),
                OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            return null;
        }
        PodLock lock = new PodLock(posix, fd);
        if (lock.tryLock(mode)) {
            return lock;
        }
        lock.close();
        return null;
    }

    private boolean tryLock(int mode) {
        if (posix.flock(fd, mode | LOCK_NB) == 0) {
            return true;
        }
        int errno = posix.errno();
        if (errno == Errno.EWOULDBLOCK.intValue() || errno == Errno.EAGAIN.intValue()) {
            return false;
        }
        throw BosunException.internal("flock failed: " + posix.strerror(errno), null);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            posix.close(fd);
            fd = -1;
        }
    }
}
