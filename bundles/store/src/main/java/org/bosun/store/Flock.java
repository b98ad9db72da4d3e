package org.bosun.store;

import java.nio.file.Path;

import org.bosun.api.BosunException;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;

/**
 * An flock(2) on a file or directory. flock locks belong to the open file description, so they
 * exclude each other between processes and between threads of one process alike, and the kernel
 * drops them when the holder dies: a lock that can be taken means its last holder is gone.
 * Waiting polls, so that a waiting thread stays interruptible (the agent interrupts commands whose
 * client hung up).
 */
final class Flock implements AutoCloseable {
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final long POLL_MILLIS = 20;

    private final POSIX posix;
    private final Path path;
    private int fd;

    private Flock(POSIX posix, Path path, int fd) {
        this.posix = posix;
        this.path = path;
        this.fd = fd;
    }

    /** Waits for an exclusive lock on {@code file}, creating it if needed. */
    static Flock exclusive(POSIX posix, Path file) {
        return acquire(posix, file, LOCK_EX, true);
    }

    /** Waits for a shared lock on {@code file}, creating it if needed. */
    static Flock shared(POSIX posix, Path file) {
        return acquire(posix, file, LOCK_SH, true);
    }

    /** An exclusive lock on an existing file or directory without waiting; null when it is held (or gone). */
    static Flock tryExclusive(POSIX posix, Path path) {
        int fd = posix.open(path.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            return null;
        }
        Flock lock = new Flock(posix, path, fd);
        if (lock.tryLock(LOCK_EX)) {
            return lock;
        }
        lock.close();
        return null;
    }

    /** An exclusive lock on a file or directory someone else cannot hold yet (one we just created). */
    static Flock own(POSIX posix, Path path) {
        Flock lock = tryExclusive(posix, path);
        if (lock == null) {
            throw BosunException.internal("cannot lock " + path + ", which this process just created", null);
        }
        return lock;
    }

    private static Flock acquire(POSIX posix, Path file, int mode, boolean create) {
        int flags = OpenFlags.O_RDWR.intValue() | OpenFlags.O_CLOEXEC.intValue()
                | (create ? OpenFlags.O_CREAT.intValue() : 0);
        int fd = posix.open(file.toString(), flags, 0600);
        if (fd < 0) {
            throw BosunException.internal("cannot open lock file " + file + ": " + posix.strerror(posix.errno()), null);
        }
        Flock lock = new Flock(posix, file, fd);
        try {
            while (!lock.tryLock(mode)) {
                Thread.sleep(POLL_MILLIS);
            }
            return lock;
        } catch (InterruptedException e) {
            lock.close();
            Thread.currentThread().interrupt();
            throw BosunException.precondition("waiting for the store lock " + file + " was cancelled");
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private boolean tryLock(int mode) {
        if (posix.flock(fd, mode | LOCK_NB) == 0) {
            return true;
        }
        int errno = posix.errno();
        if (errno == Errno.EWOULDBLOCK.intValue() || errno == Errno.EAGAIN.intValue()) {
            return false;
        }
        throw BosunException.internal("flock " + path + " failed: " + posix.strerror(errno), null);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            posix.close(fd);
            fd = -1;
        }
    }
}
