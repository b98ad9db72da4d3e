package org.bosun.security.userns;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

import org.bosun.api.BosunException;

/**
 * Shifts the owners of a copied rootfs into a pod's host range: uid {@code u} becomes
 * {@code hostId + u}, so the pod's root owns what the image's root owned (the chown fallback of
 * idmapped mounts, as rkt's {@code --private-users} did it). Links are changed, never followed.
 * Ids the namespace cannot map (≥ size) become the pod's {@code nobody}, which is how the kernel
 * would show them anyway. The kernel clears setuid and setgid bits on chown: they are put back.
 */
final class OwnerShift {
    /** The overflow id inside a user namespace ({@code /proc/sys/kernel/overflowuid}). */
    static final long NOBODY = 65534;
    private static final int SET_ID_BITS = 06000;

    private OwnerShift() {
    }

    /** Shifts every entry under (and including) {@code root}; returns how many it changed. */
    static long shift(Path root, long hostId, long size) {
        long[] changed = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    changed[0] += shiftOne(dir, hostId, size);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    changed[0] += shiftOne(file, hostId, size);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw BosunException.internal("cannot shift the owners of " + root + " into host ids " + hostId + ".."
                    + (hostId + size - 1) + ": " + e.getMessage(), e);
        }
        return changed[0];
    }

    /** The host id that container id {@code id} is in a namespace mapping {@code 0..size-1} to {@code hostId..}. */
    static long hostIdOf(long id, long hostId, long size) {
        return hostId + (id >= 0 && id < size ? id : NOBODY);
    }

    private static int shiftOne(Path path, long hostId, long size) throws IOException {
        int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long newUid = hostIdOf(Integer.toUnsignedLong(uid), hostId, size);
        long newGid = hostIdOf(Integer.toUnsignedLong(gid), hostId, size);
        Files.setAttribute(path, "unix:uid", (int) newUid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", (int) newGid, LinkOption.NOFOLLOW_LINKS);
        if ((mode & SET_ID_BITS) != 0 && !Files.isSymbolicLink(path)) {
            Files.setAttribute(path, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        }
        return 1;
    }
}
