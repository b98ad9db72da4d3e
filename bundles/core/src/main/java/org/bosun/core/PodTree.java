package org.bosun.core;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

import org.bosun.api.BosunException;

/**
 * Deletes a pod directory. It never follows symbolic links and refuses to start while anything is
 * mounted below the directory: a forgotten bind mount of /dev must never turn into deleting the
 * host's /dev.
 */
final class PodTree {
    private PodTree() {
    }

    static void delete(Path dir, String uuid) {
        // mountinfo has real paths; the data directory may be reached through a symbolic link.
        Path real;
        try {
            real = dir.toRealPath();
        } catch (NoSuchFileException gone) {
            return;
        } catch (IOException e) {
            throw BosunException.internal("cannot resolve pod directory " + dir + ": " + e.getMessage(), e);
        }
        List<Path> mounts = MountTable.mountsUnder(real);
        if (!mounts.isEmpty()) {
            throw BosunException.precondition("pod " + uuid + " still has " + mounts.size() + " mount(s), first "
                    + mounts.get(0) + "; unmount them (umount -R " + mounts.get(0) + ") and run gc again");
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    // A rootfs may hold read-only directories; make them writable so their entries can go.
                    if (!Files.isWritable(d)) {
                        d.toFile().setWritable(true, true);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    if (exc != null && !(exc instanceof NoSuchFileException)) {
                        throw exc;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // someone else deleted it first
        } catch (IOException e) {
            throw BosunException.internal("cannot delete pod " + uuid + " at " + dir + ": " + e.getMessage(), e);
        }
    }
}
