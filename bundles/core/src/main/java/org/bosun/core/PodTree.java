package org.bosun.core;

import java.io.IOException;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.host.files.FileTree;
import org.bosun.host.files.MountedBelowException;

/**
 * Deletes a pod directory with {@link FileTree}: never following symbolic links, and refusing to
 * start while anything is mounted below the directory (a forgotten bind mount of /dev must never
 * turn into deleting the host's /dev).
 */
final class PodTree {
    private PodTree() {
    }

    static void delete(Path dir, String uuid) {
        try {
            FileTree.delete(dir);
        } catch (MountedBelowException e) {
            Path first = e.mounts().get(0);
            throw BosunException.precondition("pod " + uuid + " still has " + e.mounts().size() + " mount(s), first "
                    + first + "; unmount them (umount -R " + first + ") and run gc again");
        } catch (IOException e) {
            throw BosunException.internal("cannot delete pod " + uuid + " at " + dir + ": " + e.getMessage(), e);
        }
    }
}
