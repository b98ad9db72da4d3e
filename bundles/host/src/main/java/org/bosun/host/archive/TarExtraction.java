package org.bosun.host.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.bosun.host.archive.TarEntry.Type;
import org.bosun.host.files.FileTree;

/**
 * Extracts one untrusted tar archive into a tree, entry by entry, under the rule of {@link
 * org.bosun.host.archive}: directories, regular files, symbolic links and hard links, every write
 * confined to the tree; owners, modes (setuid included) and modification times kept, directories'
 * last so that read-only ones can still be filled; extended attributes not kept. The caller reads
 * the entries, so it can handle what is its own (OCI whiteouts, size limits) between {@link
 * #check} and {@link #write}, then calls {@link #finish()} once the archive is read.
 * <p>
 * An archive may be extracted over a tree that earlier archives filled (layers, dependencies):
 * their links are followed inside the tree, this archive's own are not.
 */
public final class TarExtraction {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final ConfinedTree tree;
    private final Path root;
    private final String treeName;
    private final EntryRefusal refusal;
    private final TarEntryCheck check;
    /** The links this archive made: never followed by its later entries. */
    private final Set<Path> ownLinks = new HashSet<>();
    /** This archive's relative links and their entry names, checked again on the finished tree. */
    private final Map<Path, String> relativeLinks = new LinkedHashMap<>();
    private final List<Path> directories = new ArrayList<>();
    private final List<TarArchiveEntry> directoryHeaders = new ArrayList<>();

    /**
     * @param root the tree's top directory; it exists
     * @param prefix the archive's directory that holds the tree ({@code "rootfs/"}), or {@code ""}
     * @param treeName what messages call the tree ({@code "image"}, {@code "rootfs"})
     * @param refusal how the caller words a refused entry
     */
    public TarExtraction(Path root, String prefix, String treeName, EntryRefusal refusal) {
        this.tree = new ConfinedTree(root);
        this.root = tree.root();
        this.treeName = treeName;
        this.refusal = refusal;
        this.check = new TarEntryCheck(prefix, treeName, refusal);
    }

    /** The entry as the rules read it, or null when the caller skips it (see {@link TarEntryCheck#check}). */
    public TarEntry check(TarArchiveEntry header) {
        return check.check(header);
    }

    /** Where {@code entry} goes in the tree, its last component not followed. */
    public Path place(TarEntry entry) {
        return place(entry.name(), entry.rawName(), "");
    }

    private Path place(String name, String entryName, String what) {
        try {
            return tree.place(name, ownLinks);
        } catch (ConfinedTree.Refused e) {
            throw refusal.refuse(entryName, what + switch (e.kind()) {
                case CLIMBS -> "resolves outside the " + treeName + " through its symbolic links";
                case LOOPS -> "lies below symbolic links that loop";
                case FORBIDDEN_LINK -> "would be written through the symbolic link " + root.relativize(e.link())
                        + " that an earlier entry made";
            });
        }
    }

    /**
     * Writes {@code entry}, replacing what was at its place (a directory stays when the entry is
     * one); {@code content} is the archive positioned at the entry's data.
     *
     * @return where it was written
     */
    public Path write(InputStream content, TarEntry entry) throws IOException {
        Path target = place(entry);
        parentDirectories(target, entry.rawName());
        TarArchiveEntry header = entry.header();
        switch (entry.type()) {
            case DIRECTORY -> {
                if (!Files.isDirectory(target, NOFOLLOW)) {
                    remove(target, entry.rawName());
                    Files.createDirectory(target);
                }
                directories.add(target);
                directoryHeaders.add(header);
            }
            case FILE -> {
                remove(target, entry.rawName());
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, NOFOLLOW)) {
                    content.transferTo(out);
                }
                metadata(target, header);
            }
            case SYMLINK -> {
                // Reached through the links of an earlier archive (x -> / and then x/dev), which the check of names cannot see.
                if (target.getParent().equals(root) && TarEntryCheck.isMountPoint(target.getFileName().toString())) {
                    throw refusal.refuse(entry.rawName(), TarEntryCheck.mountPointLink(target.getFileName().toString()));
                }
                remove(target, entry.rawName());
                Files.createSymbolicLink(target, Path.of(entry.link()));
                owner(target, header);
                ownLinks.add(target);
                if (!entry.link().startsWith("/")) {
                    relativeLinks.put(target, entry.rawName());
                }
            }
            case HARD_LINK -> {
                String what = "is a hard link to " + header.getLinkName() + ", which ";
                Path existing = place(entry.link(), entry.rawName(), what);
                if (!Files.isRegularFile(existing, NOFOLLOW)) {
                    throw refusal.refuse(entry.rawName(), what + "is not a file of the " + treeName + " written before it");
                }
                if (!existing.equals(target)) {
                    remove(target, entry.rawName());
                    Files.createLink(target, existing);
                }
            }
        }
        return target;
    }

    private void parentDirectories(Path target, String entryName) throws IOException {
        try {
            Files.createDirectories(target.getParent());
        } catch (FileAlreadyExistsException e) {
            throw refusal.refuse(entryName, "lies below " + root.relativize(Path.of(e.getFile()))
                    + ", which is not a directory");
        }
    }

    /**
     * Once the whole archive is written: refuses a relative link of this archive that, followed
     * through the tree's links as they now stand, climbs above the top or loops (a link may climb
     * out through links that came after it); then gives the directories their modes, owners and
     * times, deepest first.
     */
    public void finish() {
        for (Map.Entry<Path, String> link : relativeLinks.entrySet()) {
            Path path = link.getKey();
            try {
                if (!Files.isSymbolicLink(path) || Files.readSymbolicLink(path).isAbsolute()) {
                    continue; // replaced by a later entry
                }
                tree.follow(path);
            } catch (ConfinedTree.Refused e) {
                throw refusal.refuse(link.getValue(), e.kind() == ConfinedTree.Refused.Kind.LOOPS
                        ? "is a symbolic link whose chain of links loops"
                        : "is a symbolic link that leads outside the " + treeName);
            } catch (IOException e) {
                throw refusal.refuse(link.getValue(), "is a symbolic link that cannot be read back: " + e.getMessage());
            }
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            metadata(directories.get(i), directoryHeaders.get(i));
        }
    }

    /**
     * Removes {@code path} (in the tree, not its top) and what is below it, never following a link;
     * nothing when it does not exist.
     */
    public void remove(Path path, String entryName) throws IOException {
        Path normal = path.toAbsolutePath().normalize();
        if (normal.equals(root) || !normal.startsWith(root)) {
            throw refusal.refuse(entryName, "would remove " + (normal.equals(root) ? "the top of the " : "what is outside the ")
                    + treeName);
        }
        if (!Files.exists(normal, NOFOLLOW)) {
            return;
        }
        ownLinks.remove(normal);
        FileTree.delete(normal); // never follows links, refuses a mount below
    }

    private void metadata(Path target, TarArchiveEntry header) {
        try {
            owner(target, header);
            // After the owner: chown clears setuid and setgid.
            Files.setAttribute(target, "unix:mode", header.getMode() & 07777, NOFOLLOW);
            Files.setLastModifiedTime(target, FileTime.from(header.getLastModifiedDate().toInstant()));
        } catch (IOException e) {
            throw refusal.refuse(header.getName(), "cannot get its owner, mode or time: " + e.getMessage());
        }
    }

    private static void owner(Path target, TarArchiveEntry header) throws IOException {
        Files.setAttribute(target, "unix:uid", (int) header.getLongUserId(), NOFOLLOW);
        Files.setAttribute(target, "unix:gid", (int) header.getLongGroupId(), NOFOLLOW);
    }
}
