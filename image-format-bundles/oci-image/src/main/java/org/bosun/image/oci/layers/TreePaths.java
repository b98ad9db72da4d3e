package org.bosun.image.oci.layers;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Paths inside a tree as a chroot sees them: every component is resolved inside the tree, a
 * symbolic link is followed with absolute targets taken relative to the tree and {@code ..}
 * stopping at its top, so no walk ever leaves the tree (containerd's and securejoin's approach).
 * Only the process that renders the tree writes into it, so checking then writing is safe.
 */
final class TreePaths {
    static final int MAX_LINKS = 40;

    private TreePaths() {
    }

    /**
     * Where {@code relative} (components separated by {@code /}, no {@code ..}) lands in {@code root}
     * when every component but the last is resolved as the kernel would inside a chroot. The last
     * component is not followed: it is the entry to create or replace. Returns null when links loop.
     */
    static Path parentResolved(Path root, String relative) {
        int slash = relative.lastIndexOf('/');
        if (slash < 0) {
            return root.resolve(relative);
        }
        Path parent = resolve(root, relative.substring(0, slash));
        return parent == null ? null : parent.resolve(relative.substring(slash + 1));
    }

    /** Resolves every component of {@code path} inside {@code root}, following links; null when they loop. */
    static Path resolve(Path root, String path) {
        Deque<String> parts = new ArrayDeque<>();
        push(parts, path);
        Path current = root;
        int links = 0;
        while (!parts.isEmpty()) {
            String part = parts.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    return null;
                }
                String target;
                try {
                    target = Files.readSymbolicLink(next).toString();
                } catch (java.io.IOException e) {
                    return null;
                }
                push(parts, target);
                if (target.startsWith("/")) {
                    current = root;
                }
                continue;
            }
            current = next;
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                // Nothing below a missing component can be a link: take the rest as written.
                while (!parts.isEmpty()) {
                    String rest = parts.pop();
                    if (rest.equals("..")) {
                        current = current.equals(root) ? root : current.getParent();
                    } else if (!rest.isEmpty() && !rest.equals(".")) {
                        current = current.resolve(rest);
                    }
                }
            }
        }
        return current;
    }

    private static void push(Deque<String> parts, String path) {
        String[] split = path.split("/");
        for (int i = split.length - 1; i >= 0; i--) {
            parts.push(split[i]);
        }
    }

    /**
     * Whether the relative link target {@code target} of a link at {@code linkEntry} (a clean
     * relative entry name) climbs above the tree's top when read as written.
     */
    static boolean climbsOut(String linkEntry, String target) {
        int depth = linkEntry.split("/").length - 1;
        for (String part : target.split("/")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return false;
    }
}
