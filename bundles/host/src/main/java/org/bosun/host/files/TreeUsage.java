package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.app.LayerUsage;

/**
 * What a directory tree holds (an app's writable layer): the apparent sizes of its files and its
 * inodes, each hard-linked inode once, without crossing into other filesystems, and the mount point
 * of the filesystem it is on.
 */
public final class TreeUsage {
    private TreeUsage() {
    }

    public static LayerUsage of(Path root) {
        Instant now = Instant.now();
        long[] totals = new long[2];
        Set<Object> seen = new HashSet<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return new LayerUsage(now, mountPoint(root), 0, 0);
        }
        Object device;
        try {
            device = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(root) && !device.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    count(attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    count(attrs);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed meanwhile
                }

                private void count(BasicFileAttributes attrs) {
                    Object key = attrs.fileKey();
                    if (key == null || seen.add(key)) {
                        totals[0] += attrs.size();
                        totals[1]++;
                    }
                }
            });
        } catch (NoSuchFileException e) {
            return new LayerUsage(now, mountPoint(root), 0, 0);
        } catch (IOException e) {
            throw BosunException.internal("cannot measure " + root + ": " + e.getMessage(), e);
        }
        return new LayerUsage(now, mountPoint(root), totals[0], totals[1]);
    }

    /** The mount point of the filesystem {@code path} is on (the longest mount point above it). */
    public static String mountPoint(Path path) {
        Path p = path.toAbsolutePath().normalize();
        Path best = Path.of("/");
        try {
            List<MountInfo> mounts = MountInfo.read();
            for (MountInfo m : mounts) {
                if (p.startsWith(m.mountPoint()) && m.mountPoint().getNameCount() > best.getNameCount()) {
                    best = m.mountPoint();
                }
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot read this process's mounts: " + e.getMessage(), e);
        }
        return best.toString();
    }
}
