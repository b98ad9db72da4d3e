package org.bosun.host.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * A directory tree whose paths are resolved the way a process chrooted into it would see them:
 * component by component, following symbolic links, with an absolute target starting again at the
 * tree's top (rule 3 of {@link org.bosun.host.archive}). A walk never leaves the tree: a {@code ..}
 * that would climb above the top, a chain of more than {@value #MAX_LINKS} links, and a link the
 * caller may not follow are refused instead of resolved. What the walk returns holds no symbolic
 * link, except as its last component when that is not followed.
 * <p>
 * Checking, then writing, is safe only while nothing else writes into the tree; the extraction that
 * fills a tree is its only writer.
 */
public final class ConfinedTree {
    /** The most links one walk follows, as Linux's {@code MAXSYMLINKS}. */
    public static final int MAX_LINKS = 40;

    private final Path root;

    /** @param root the tree's top directory */
    public ConfinedTree(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Why a walk was refused. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        /** What went wrong. */
        public enum Kind {
            /** A {@code ..} would climb above the top. */
            CLIMBS,
            /** More than {@link ConfinedTree#MAX_LINKS} links, or a link that cannot be read. */
            LOOPS,
            /** A link the caller may not follow (one its own archive made). */
            FORBIDDEN_LINK
        }

        private final Kind kind;
        private final Path link;

        Refused(Kind kind, Path link) {
            super(kind + (link == null ? "" : " " + link), null, false, false);
            this.kind = kind;
            this.link = link;
        }

        public Kind kind() {
            return kind;
        }

        /** The link not followed, for {@link Kind#FORBIDDEN_LINK}; else null. */
        public Path link() {
            return link;
        }
    }

    /**
     * Where the entry {@code name} (a clean relative name) goes: every component but the last
     * resolved; the last is not followed, since the entry replaces it.
     *
     * @param notFollowed links that the walk refuses to go through
     */
    public Path place(String name, Set<Path> notFollowed) throws Refused {
        int slash = name.lastIndexOf('/');
        if (slash < 0) {
            return root.resolve(name);
        }
        return walk(root, name.substring(0, slash), notFollowed).resolve(name.substring(slash + 1));
    }

    /** {@code path} (from the top; an absolute one too) with every component resolved, the last one included. */
    public Path resolve(String path) throws Refused {
        return walk(root, path, Set.of());
    }

    /** Where following the symbolic link {@code link} (a path this tree resolved) leads. */
    public Path follow(Path link) throws Refused {
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new Refused(Refused.Kind.LOOPS, null);
        }
        return walk(link.getParent(), target, Set.of());
    }

    private Path walk(Path start, String path, Set<Path> notFollowed) throws Refused {
        Deque<String> parts = new ArrayDeque<>();
        push(parts, path);
        Path current = path.startsWith("/") ? root : start;
        int links = 0;
        while (!parts.isEmpty()) {
            String part = parts.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (current.equals(root)) {
                    throw new Refused(Refused.Kind.CLIMBS, null);
                }
                // current holds no link, so its lexical parent is where the kernel would go.
                current = current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            // Every component is checked, a missing one's successors too: a later ".." can lead
            // back to existing directories and links.
            if (!Files.isSymbolicLink(next)) {
                current = next;
                continue;
            }
            if (notFollowed.contains(next)) {
                throw new Refused(Refused.Kind.FORBIDDEN_LINK, next);
            }
            if (++links > MAX_LINKS) {
                throw new Refused(Refused.Kind.LOOPS, null);
            }
            String target;
            try {
                target = Files.readSymbolicLink(next).toString();
            } catch (IOException e) {
                throw new Refused(Refused.Kind.LOOPS, null);
            }
            push(parts, target);
            if (target.startsWith("/")) {
                current = root;
            }
        }
        return current;
    }

    /** Puts the components of {@code path} on top of {@code parts}, the first on top. */
    static void push(Deque<String> parts, String path) {
        String[] split = path.split("/");
        for (int i = split.length - 1; i >= 0; i--) {
            parts.push(split[i]);
        }
    }
}
