package org.bosun.host.lock;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;

import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * An flock(2) lock on a file or directory, the one kind of file lock bosun takes. flock locks
 * belong to the open file description, so they exclude each other between processes and between
 * threads of one process alike (POSIX fcntl locks, which {@code FileChannel.lock} takes, do
 * neither: they are per process, and a second descriptor's close drops them), they survive a
 * rename of the file and an execve of the holder, and the kernel drops them when the last holder
 * is gone: a lock that can be taken means its last holder is gone.
 *
 * <p>Every descriptor is opened close-on-exec, so a child this JVM spawns never inherits a lock by
 * accident (the launcher, which execs the pod's stage1 holding {@code pod.lck}, opens its own).
 * Waiting polls, so a waiting thread stays interruptible (the agent interrupts commands whose
 * client hung up).
 */
public final class Flock implements AutoCloseable {
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final long POLL_MILLIS = 20;

    private final Path path;
    private int fd;

    private Flock(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Waits for an exclusive lock on {@code file}, creating it (mode 0600) if needed. */
    public static Flock exclusive(Path file) {
        return acquire(file, LOCK_EX);
    }

    /** Waits for a shared lock on {@code file}, creating it (mode 0600) if needed. */
    public static Flock shared(Path file) {
        return acquire(file, LOCK_SH);
    }

    /** An exclusive lock on an existing file or directory without waiting; null when it is held (or gone). */
    public static Flock tryExclusive(Path path) {
        return tryExisting(path, LOCK_EX);
    }

    /** A shared lock on an existing file or directory without waiting; null when it is held exclusively (or gone). */
    public static Flock tryShared(Path path) {
        return tryExisting(path, LOCK_SH);
    }

    /** An exclusive lock on an existing file or directory no one else can hold yet (one this process just made). */
    public static Flock own(Path path) {
        Flock lock = tryExclusive(path);
        if (lock == null) {
            throw BosunException.internal("cannot lock " + path + ", which this process just created", null);
        }
        return lock;
    }

    /** Creates {@code file} if needed and takes it exclusively; refuses when someone holds it. */
    public static Flock create(Path file) {
        Flock lock = open(file, OpenFlags.O_RDWR.intValue() | OpenFlags.O_CREAT.intValue());
        if (!lock.tryLock(LOCK_EX)) {
            lock.close();
            throw BosunException.internal("the new lock " + file + " is taken by another process", null);
        }
        return lock;
    }

    /** Whether some process (or another open file of this one) holds a lock on {@code path} now. */
    public static boolean isHeld(Path path) {
        Flock probe = tryExisting(path, LOCK_SH);
        if (probe == null) {
            // Either held, or gone meanwhile: only "held" matters to callers that found it.
            return Files.exists(path);
        }
        probe.close();
        return false;
    }

    /**
     * Waits until no one holds {@code path} exclusively: blocked in flock(2) for a shared lock, which
     * the kernel grants the moment the holder unlocks it or dies, so no polling; the shared lock is
     * dropped again at once. For a watcher that must notice a pod's process end.
     *
     * @return false when the file does not exist
     * @since 1.1
     */
    public static boolean awaitUnlocked(Path path) {
        int fd = Native.POSIX.open(path.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            return false;
        }
        try {
            while (Native.POSIX.flock(fd, LOCK_SH) != 0) {
                int errno = Native.POSIX.errno();
                if (errno != Errno.EINTR.intValue()) {
                    throw BosunException.internal("flock " + path + " failed: " + Native.POSIX.strerror(errno), null);
                }
            }
            return true;
        } finally {
            Native.POSIX.close(fd);
        }
    }

    /** The locked file. */
    public Path path() {
        return path;
    }

    private static Flock acquire(Path file, int mode) {
        Flock lock = open(file, OpenFlags.O_RDWR.intValue() | OpenFlags.O_CREAT.intValue());
        try {
            while (!lock.tryLock(mode)) {
                Thread.sleep(POLL_MILLIS);
            }
            return lock;
        } catch (InterruptedException e) {
            lock.close();
            Thread.currentThread().interrupt();
            throw BosunException.precondition("waiting for the lock " + file + " was cancelled");
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static Flock tryExisting(Path path, int mode) {
        int fd = Native.POSIX.open(path.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            return null;
        }
        Flock lock = new Flock(path, fd);
        if (lock.tryLock(mode)) {
            return lock;
        }
        lock.close();
        return null;
    }

    private static final int EACCES = 13;

    private static Flock open(Path file, int flags) {
        int fd = Native.POSIX.open(file.toString(), flags | OpenFlags.O_CLOEXEC.intValue(), 0600);
        if (fd < 0 && Native.POSIX.errno() == EACCES) {
            // a reader that may not write the lock file (the API service run as --user) locks it read-only:
            // flock(2) needs no write access
            fd = Native.POSIX.open(file.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CLOEXEC.intValue(), 0);
        }
        if (fd < 0) {
            throw BosunException.internal("cannot open the lock file " + file + ": "
                    + Native.POSIX.strerror(Native.POSIX.errno()), null);
        }
        return new Flock(file, fd);
    }

    private boolean tryLock(int mode) {
        if (Native.POSIX.flock(fd, mode | LOCK_NB) == 0) {
            return true;
        }
        int errno = Native.POSIX.errno();
        if (errno == Errno.EWOULDBLOCK.intValue() || errno == Errno.EAGAIN.intValue()) {
            return false;
        }
        throw BosunException.internal("flock " + path + " failed: " + Native.POSIX.strerror(errno), null);
    }

    /** Drops the lock (closing this open file; other descriptors of it, say after a fork, keep it). */
    @Override
    public void close() {
        if (fd >= 0) {
            Native.POSIX.close(fd);
            fd = -1;
        }
    }

    /** Loaded on first use, so that merely resolving this class needs no native library. */
    private static final class Native {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    }
}
