package org.bosun.host.archive;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.bosun.host.archive.TarEntry.Type;

/**
 * The checks of {@link org.bosun.host.archive} that need no tree, applied to the entries of one
 * archive in the order it holds them: names, types, symbolic link targets read as written, and no
 * entry below a link that an earlier entry of the same archive made; and, once the archive is read
 * ({@link #finish()}), relative links that climb out through the archive's own links. It remembers
 * only the links seen so far, so it can run on a stream (an archive passing through its digest) as
 * well as inside {@link TarExtraction}. One instance per archive.
 */
public final class TarEntryCheck {
    /** The directories at a tree's top that an engine mounts the pod's own over (rule 5). */
    static final Set<String> MOUNT_POINTS = Set.of("dev", "proc", "sys");

    private final String prefix;
    private final String treeName;
    private final EntryRefusal refusal;
    /** The symbolic links this archive holds so far (not replaced by a later entry), by clean name. */
    private final NavigableMap<String, Link> links = new TreeMap<>();

    private record Link(String rawName, String target) {
    }

    /**
     * @param prefix the directory of the archive that holds the tree ({@code "rootfs/"} for an ACI),
     *        or {@code ""} for the whole archive; entries outside it are skipped
     * @param treeName what messages call the tree ({@code "image"}, {@code "rootfs"})
     * @param refusal how the caller words a refused entry
     */
    public TarEntryCheck(String prefix, String treeName, EntryRefusal refusal) {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix is a directory ending in '/': " + prefix);
        }
        this.prefix = prefix;
        this.treeName = treeName;
        this.refusal = refusal;
    }

    /**
     * The entry as the rules read it; null for an entry outside the prefix or for the tree's top
     * itself, which the caller skips. Refuses, through the caller's {@link EntryRefusal}, an entry
     * the rules do not allow.
     */
    public TarEntry check(TarArchiveEntry header) {
        String raw = header.getName();
        String name = clean(raw, raw, "", false);
        if (name == null) {
            return null;
        }
        if (name.isEmpty()) {
            if (!header.isDirectory()) {
                // An ACI's rootfs as a link would have the pod's root lie wherever the link leads.
                throw refusal.refuse(raw, "is the top of the " + treeName + ", which must be a directory");
            }
            return null;
        }
        Type type = type(header);
        String link = null;
        if (type == Type.SYMLINK) {
            if (isMountPoint(name)) {
                throw refusal.refuse(raw, mountPointLink(name));
            }
            link = symlinkTarget(header, name);
        } else if (type == Type.HARD_LINK) {
            String what = "is a hard link to " + header.getLinkName() + ", which ";
            link = clean(header.getLinkName(), raw, what, true);
            if (link == null || link.isEmpty()) {
                throw refusal.refuse(raw, what + "is not a file of the " + treeName + " written before it");
            }
            String through = linkAbove(link);
            if (through != null) {
                throw refusal.refuse(raw, what + "lies below the symbolic link " + through
                        + " that an earlier entry made");
            }
            if (links.containsKey(link)) {
                throw refusal.refuse(raw, what + "is not a file of the " + treeName + " written before it");
            }
        }
        String through = linkAbove(name);
        if (through != null) {
            throw refusal.refuse(raw, "would be written through the symbolic link " + through
                    + " that an earlier entry made");
        }
        // This entry replaces whatever was at its name, and everything below it.
        links.remove(name);
        links.subMap(name + "/", true, name + "0", false).clear(); // '0' follows '/'
        if (type == Type.SYMLINK) {
            links.put(name, new Link(raw, link));
        }
        return new TarEntry(header, name, type, link);
    }

    /**
     * Once the whole archive is read: refuses a relative link that, followed through this
     * archive's own links as they now stand, climbs above the top or loops (the stream's part of
     * rule 2; an extraction checks the same on the finished tree, where the links of earlier
     * archives are followed too). What is not one of its links counts as a directory, as written.
     */
    public void finish() {
        for (Map.Entry<String, Link> entry : links.entrySet()) {
            Link link = entry.getValue();
            if (link.target().startsWith("/")) {
                continue;
            }
            String problem = follow(entry.getKey(), link.target());
            if (problem != null) {
                throw refusal.refuse(link.rawName(), problem);
            }
        }
    }

    /** Why following the link {@code name} to {@code target} is refused, or null. */
    private String follow(String name, String target) {
        List<String> current = new ArrayList<>(List.of(name.split("/")));
        current.remove(current.size() - 1);
        Deque<String> parts = new ArrayDeque<>();
        ConfinedTree.push(parts, target);
        int followed = 0;
        while (!parts.isEmpty()) {
            String part = parts.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (current.isEmpty()) {
                    return "is a symbolic link that leads outside the " + treeName;
                }
                current.remove(current.size() - 1);
                continue;
            }
            current.add(part);
            Link next = links.get(String.join("/", current));
            if (next == null) {
                continue;
            }
            if (++followed > ConfinedTree.MAX_LINKS) {
                return "is a symbolic link whose chain of links loops";
            }
            current.remove(current.size() - 1);
            if (next.target().startsWith("/")) {
                current.clear();
            }
            ConfinedTree.push(parts, next.target());
        }
        return null;
    }

    /** Whether {@code name} (a clean name) is one of the {@link #MOUNT_POINTS}. */
    static boolean isMountPoint(String name) {
        return MOUNT_POINTS.contains(name);
    }

    static String mountPointLink(String name) {
        return "makes /" + name + " a symbolic link; the engine mounts the pod's own /" + name
                + " there, so it must be a directory (or absent)";
    }

    private Type type(TarArchiveEntry header) {
        String raw = header.getName();
        // TarArchiveEntry.isFile() is true for most non-directory types, so the special ones go first.
        if (header.isDirectory()) {
            return Type.DIRECTORY;
        }
        if (header.isCharacterDevice() || header.isBlockDevice()) {
            throw refusal.refuse(raw, "is a device node; bosun refuses device nodes in images, as rkt and rootless"
                    + " podman do (the engine gives each pod its own /dev)");
        }
        if (header.isFIFO()) {
            throw refusal.refuse(raw, "is a FIFO; bosun refuses FIFOs in images");
        }
        if (header.isSymbolicLink()) {
            return Type.SYMLINK;
        }
        if (header.isLink()) {
            return Type.HARD_LINK;
        }
        if (header.isFile()) {
            return Type.FILE;
        }
        throw refusal.refuse(raw, "has the unsupported tar entry type '" + (char) header.getLinkFlag() + "'");
    }

    private String symlinkTarget(TarArchiveEntry header, String name) {
        String target = header.getLinkName();
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw refusal.refuse(header.getName(), "is a symbolic link with an empty or malformed target");
        }
        if (!target.startsWith("/") && EntryNames.linkTarget(name, target) == null) {
            throw refusal.refuse(header.getName(), "is a symbolic link to " + target + ", outside the " + treeName);
        }
        return target;
    }

    /** The link of this archive that {@code name} lies below, or null. */
    private String linkAbove(String name) {
        for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
            String parent = name.substring(0, slash);
            if (links.containsKey(parent)) {
                return parent;
            }
        }
        return null;
    }

    /**
     * Rule 1: the clean name below the prefix ({@code ""} for its top); null when {@code raw} lies
     * outside the prefix and is an entry (not a link), which the caller skips.
     */
    private String clean(String raw, String entryName, String what, boolean linkName) {
        String name = raw;
        while (name.startsWith("./")) {
            name = name.substring(2);
        }
        if (name.startsWith("/") || name.indexOf('\0') >= 0) {
            throw refusal.refuse(entryName, what + "has an absolute or malformed name");
        }
        if (!prefix.isEmpty()) {
            if (name.equals(prefix) || name.equals(prefix.substring(0, prefix.length() - 1))) {
                return "";
            }
            if (!name.startsWith(prefix)) {
                if (linkName) {
                    throw refusal.refuse(entryName, what + "lies outside " + prefix);
                }
                return null;
            }
            name = name.substring(prefix.length());
            if (name.startsWith("/")) {
                throw refusal.refuse(entryName, what + "has an absolute or malformed name");
            }
        }
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw refusal.refuse(entryName, what + "climbs out of the " + treeName + " with '..'");
            }
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }
}
