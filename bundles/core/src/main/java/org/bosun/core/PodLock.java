package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.host.lock.Flock;

/**
 * The flock(2) on a pod's {@code pod.lck}. The lock belongs to the open file, so it survives the
 * pod directory's renames and an execve of the holder, and the kernel drops it when the last
 * holder dies: that is what makes "running" mean "its process is alive". The process that owns the
 * pod's state holds it: the preparing command, then the launcher, which claims it itself (launcher
 * Exec) and keeps the descriptor across its execve of the engine, so the running stage1 holds it.
 */
final class PodLock implements AutoCloseable {
    static final String FILE_NAME = "pod.lck";

    private final Flock flock;

    private PodLock(Flock flock) {
        this.flock = flock;
    }

    /**
     * Creates the lock file in {@code podDir} (mode 0644) and takes it exclusively. It is readable by
     * all as the pod's other records are: whether a pod runs is whether its lock is held, and a
     * reader that is not root (the API service run as {@code --user}) must open the file to tell,
     * and to await the pod's end; a lock file it cannot open would read as "held" for ever.
     */
    static PodLock create(Path podDir) {
        Path file = podDir.resolve(FILE_NAME);
        Flock flock = Flock.create(file);
        try {
            Files.setPosixFilePermissions(file, READABLE);
        } catch (IOException | UnsupportedOperationException e) {
            flock.close();
            throw BosunException.internal("cannot make " + file + " readable: " + e.getMessage(), e);
        }
        return new PodLock(flock);
    }

    static final java.util.Set<java.nio.file.attribute.PosixFilePermission> READABLE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");

    /** Takes the pod's lock exclusively without waiting; null when someone holds it (or the pod is gone). */
    static PodLock tryExclusive(Path podDir) {
        Flock flock = Flock.tryExclusive(podDir.resolve(FILE_NAME));
        return flock == null ? null : new PodLock(flock);
    }

    /**
     * Takes the pod's lock shared without waiting; null when someone holds it exclusively (the pod
     * runs, or gc or rm is collecting it) or the pod is gone. Commands that only release what an
     * exited pod held take it so: a status probe meanwhile still sees the pod exited.
     */
    static PodLock tryShared(Path podDir) {
        Flock flock = Flock.tryShared(podDir.resolve(FILE_NAME));
        return flock == null ? null : new PodLock(flock);
    }

    /**
     * Takes an exclusive lock on {@code file} (created if missing), waiting for its holder: for a
     * short critical section shared by every bosun command on the host.
     */
    static PodLock waitExclusive(Path file) {
        return new PodLock(Flock.exclusive(file));
    }

    /** Whether some process holds the pod's lock now. */
    static boolean isHeld(Path podDir) {
        return Flock.isHeld(podDir.resolve(FILE_NAME));
    }

    @Override
    public void close() {
        flock.close();
    }
}
