package org.bosun.image.appc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Follows a symbolic link inside a rootfs the way the kernel would, component by component and
 * through further links, with absolute targets taken relative to the rootfs; {@code ..} above the
 * rootfs counts as leaving it.
 */
final class RootedPath {
    private static final int MAX_LINKS = 40;

    private RootedPath() {
    }

    /** Whether following {@code link} (a symlink below {@code root}) stays inside {@code root}. */
    static boolean staysInside(Path root, Path link) {
        int[] budget = {MAX_LINKS};
        try {
            return follow(root, link.getParent(), Files.readSymbolicLink(link).toString(), budget) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The resolved path, or null when the walk leaves the root or loops. */
    private static Path follow(Path root, Path from, String target, int[] budget) throws IOException {
        if (--budget[0] < 0) {
            return null;
        }
        Path current = target.startsWith("/") ? root : from;
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (current.equals(root)) {
                    return null;
                }
                current = current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            if (Files.isSymbolicLink(next)) {
                next = follow(root, current, Files.readSymbolicLink(next).toString(), budget);
                if (next == null) {
                    return null;
                }
            } else if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                // A dangling link is harmless to the host: nothing can be reached through it.
                return current.resolve(part);
            }
            current = next;
        }
        return current;
    }
}
