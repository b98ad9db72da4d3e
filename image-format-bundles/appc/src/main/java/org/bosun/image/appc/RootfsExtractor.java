package org.bosun.image.appc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.api.BosunException;

/**
 * Extracts the {@code rootfs/} of an ACI as untrusted input. An entry is refused, and the whole
 * render fails, when it is absolute or climbs out with {@code ..}, when it would be written
 * through a symbolic link, when it is a symbolic or hard link that leads outside the rootfs, or
 * when it is a device node. Ownership, modes (setuid included) and times are kept.
 */
final class RootfsExtractor {
    private static final String PREFIX = "rootfs/";
    private static final long MAX_TOTAL_BYTES = 64L << 30;

    private final AciArchive archive;
    private final Path root;
    private final List<TarArchiveEntry> directories = new ArrayList<>();
    private final List<Path> directoryPaths = new ArrayList<>();
    private final List<Path> relativeLinks = new ArrayList<>();
    private final List<String> relativeLinkEntries = new ArrayList<>();
    private long total;

    RootfsExtractor(AciArchive archive, Path root) {
        this.archive = archive;
        this.root = root.toAbsolutePath().normalize();
    }

    void extract() {
        int entries = 0;
        try (InputStream raw = archive.decompressed(); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > AciArchive.MAX_ENTRIES) {
                    throw archive.refuse("has more than " + AciArchive.MAX_ENTRIES + " entries");
                }
                String name = AciArchive.stripDot(entry.getName());
                if (name.startsWith("/")) {
                    throw refuse(entry.getName(), "has an absolute name; ACI entries are relative to the archive");
                }
                if (name.equals("rootfs") || name.equals(PREFIX)) {
                    continue;
                }
                if (!name.startsWith(PREFIX)) {
                    continue;
                }
                extractEntry(tar, entry, name.substring(PREFIX.length()));
            }
        } catch (IOException e) {
            throw archive.refuse("cannot be extracted: " + e.getMessage());
        }
        // Links are checked again on the finished tree: a link may climb out through other links,
        // or through entries that came after it.
        for (int i = 0; i < relativeLinks.size(); i++) {
            Path link = relativeLinks.get(i);
            if (!RootedPath.staysInside(root, link)) {
                throw refuse(relativeLinkEntries.get(i), "is a symbolic link that leads outside the rootfs");
            }
        }
        // Directory modes last, so that read-only directories could still be filled.
        for (int i = directories.size() - 1; i >= 0; i--) {
            applyMetadata(directoryPaths.get(i), directories.get(i));
        }
    }

    private void extractEntry(TarArchiveInputStream tar, TarArchiveEntry entry, String relative) throws IOException {
        Path target = inside(relative, entry.getName());
        ensureNoSymlinkParent(target, entry.getName());
        if (entry.isDirectory()) {
            if (Files.isSymbolicLink(target) || (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))) {
                Files.delete(target);
            }
            Files.createDirectories(target);
            directories.add(entry);
            directoryPaths.add(target);
            return;
        }
        // TarArchiveEntry.isFile() is true for every non-directory type, so special files go first.
        if (entry.isCharacterDevice() || entry.isBlockDevice()) {
            throw refuse(entry.getName(), "is a device node; images may not carry devices (the engine provides /dev)");
        }
        if (entry.isFIFO()) {
            throw refuse(entry.getName(), "is a FIFO; images may not carry FIFOs");
        }
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        if (entry.isSymbolicLink()) {
            String linkTarget = entry.getLinkName();
            checkSymlink(target, linkTarget, entry.getName());
            Files.createSymbolicLink(target, Path.of(linkTarget));
            if (!linkTarget.startsWith("/")) {
                relativeLinks.add(target);
                relativeLinkEntries.add(entry.getName());
            }
            applyOwner(target, entry, LinkOption.NOFOLLOW_LINKS);
        } else if (entry.isLink()) {
            String linkName = AciArchive.stripDot(entry.getLinkName());
            if (!linkName.startsWith(PREFIX)) {
                throw refuse(entry.getName(), "is a hard link to " + entry.getLinkName() + ", outside rootfs/");
            }
            Path existing = inside(linkName.substring(PREFIX.length()), entry.getName());
            ensureNoSymlinkParent(existing, entry.getName());
            if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(entry.getName(), "is a hard link to " + entry.getLinkName() + ", which is not a file extracted before it");
            }
            Files.createLink(target, existing);
        } else if (entry.isFile()) {
            total += entry.getSize();
            if (total > MAX_TOTAL_BYTES) {
                throw refuse(entry.getName(), "takes the image over " + (MAX_TOTAL_BYTES >> 30) + " GiB");
            }
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            applyMetadata(target, entry);
        } else {
            throw refuse(entry.getName(), "has an unsupported tar entry type '" + (char) entry.getLinkFlag() + "'");
        }
    }

    /** The entry's path under the root; refuses absolute names and names that climb out. */
    private Path inside(String relative, String entryName) {
        if (relative.startsWith("/") || relative.contains("\0")) {
            throw refuse(entryName, "has an absolute or malformed name");
        }
        Path target = root.resolve(relative).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw refuse(entryName, "climbs out of the rootfs with '..'");
        }
        return target;
    }

    /** A parent that is a symlink could send the write anywhere on the host. */
    private void ensureNoSymlinkParent(Path target, String entryName) {
        for (Path p = target.getParent(); p != null && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw refuse(entryName, "would be written through the symbolic link " + root.relativize(p));
            }
        }
    }

    /**
     * Absolute targets are resolved inside the rootfs at run time, so they cannot escape; relative
     * ones must not climb above the rootfs.
     */
    private void checkSymlink(Path link, String linkTarget, String entryName) {
        if (linkTarget.isEmpty() || linkTarget.contains("\0")) {
            throw refuse(entryName, "is a symbolic link with an empty or malformed target");
        }
        if (linkTarget.startsWith("/")) {
            return;
        }
        Path resolved = link.getParent().resolve(linkTarget).normalize();
        if (!resolved.startsWith(root)) {
            throw refuse(entryName, "is a symbolic link to " + linkTarget + ", outside the rootfs");
        }
    }

    private void applyMetadata(Path target, TarArchiveEntry entry) {
        try {
            applyOwner(target, entry, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:mode", entry.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
            Files.setLastModifiedTime(target, FileTime.from(entry.getLastModifiedDate().toInstant()));
        } catch (IOException e) {
            throw refuse(entry.getName(), "cannot get its owner or mode: " + e.getMessage());
        }
    }

    private static void applyOwner(Path target, TarArchiveEntry entry, LinkOption option) throws IOException {
        Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), option);
        Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), option);
    }

    private BosunException refuse(String entryName, String what) {
        return archive.refuse("is refused: entry " + entryName + " " + what);
    }

}
