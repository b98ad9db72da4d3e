package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes directory trees (pod directories, image trees, scratch directories) the one safe way:
 * <ul>
 * <li>it refuses to start while anything is mounted at or below the tree, so a forgotten bind mount
 * of /dev never turns into deleting the host's /dev;</li>
 * <li>it never follows a symbolic link, the tree's own top included: a link is deleted, not what
 * it points to;</li>
 * <li>it opens up directories an image made read-only or unreadable ({@code u+rwx}) before emptying
 * them, which a caller that is not root needs;</li>
 * <li>what is already gone (another process deleting the same tree) is no error.</li>
 * </ul>
 * It works without recursion, so no tree is too deep for it.
 */
public final class FileTree {
    private static final Set<PosixFilePermission> OWNER_RWX = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private FileTree() {
    }

    /**
     * Deletes {@code root} and everything below it; nothing when it does not exist.
     *
     * @return the bytes of the regular files removed
     * @throws MountedBelowException when a file system is mounted at or below {@code root}; then
     *         nothing was deleted
     * @throws IOException when an entry cannot be deleted; what was deleted before it stays deleted
     */
    public static long delete(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        Path real;
        try {
            real = realPathOf(absolute);
        } catch (NoSuchFileException gone) {
            return 0;
        }
        if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        List<Path> mounts = MountPoints.under(real);
        if (!mounts.isEmpty()) {
            throw new MountedBelowException(root, mounts);
        }
        return remove(absolute);
    }

    /** {@link #delete}, for a scratch directory whose leftovers harm no one; whether it is gone now. */
    public static boolean deleteQuietly(Path root) {
        try {
            delete(root);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * mountinfo names real paths, and the tree may be reached through a symbolic link: the real
     * path of its parent, and its own name (a link at the top is itself the tree).
     */
    private static Path realPathOf(Path absolute) throws IOException {
        Path parent = absolute.getParent();
        return parent == null ? absolute : parent.toRealPath().resolve(absolute.getFileName());
    }

    /** Depth first, each directory after its entries. */
    private static long remove(Path root) throws IOException {
        record Step(Path path, boolean emptied) {
        }
        long bytes = 0;
        Deque<Step> steps = new ArrayDeque<>();
        steps.push(new Step(root, false));
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            if (step.emptied()) {
                Files.deleteIfExists(step.path());
                continue;
            }
            PosixFileAttributes attrs;
            try {
                attrs = Files.readAttributes(step.path(), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (!attrs.isDirectory()) {
                bytes += attrs.isRegularFile() ? attrs.size() : 0;
                Files.deleteIfExists(step.path());
                continue;
            }
            openUp(step.path(), attrs);
            steps.push(new Step(step.path(), true));
            for (Path entry : entries(step.path())) {
                steps.push(new Step(entry, false));
            }
        }
        return bytes;
    }

    private static void openUp(Path dir, PosixFileAttributes attrs) {
        if (attrs.permissions().containsAll(OWNER_RWX)) {
            return;
        }
        Set<PosixFilePermission> opened = EnumSet.copyOf(OWNER_RWX);
        opened.addAll(attrs.permissions());
        try {
            Files.setPosixFilePermissions(dir, opened);
        } catch (IOException e) {
            // Not this user's directory: listing or deleting its entries names the real problem.
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException gone) {
            return List.of();
        }
        return entries;
    }
}
