package org.bosun.image.oci.spi;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.bosun.api.BosunException;
import org.bosun.host.files.FileTree;

/**
 * Applies OCI / Docker tar layers, bottom first, to a tree, treating every layer as untrusted
 * input (OCI image spec, "Applying changesets"):
 * <ul>
 * <li>{@code .wh.NAME} removes NAME of the layers below; {@code .wh..wh..opq} hides everything the
 * layers below put in its directory;</li>
 * <li>an entry that is absolute or contains {@code ..} is refused;</li>
 * <li>every path is resolved inside the tree (a link to {@code /usr/lib} leads to the tree's
 * {@code usr/lib}), so nothing is ever written outside it; a symbolic link whose relative target
 * climbs above the tree, and a hard link to anything but a regular file already in the tree, are
 * refused;</li>
 * <li>device nodes and FIFOs are refused: bosun renders images as unprivileged content, as rkt and
 * rootless podman do; the engine gives a pod its /dev;</li>
 * <li>entry count and total size are limited.</li>
 * </ul>
 * Layers may be uncompressed, gzip or zstd (zstd needs the zstd-jni bundle); the compression is
 * read from the layer's first bytes. Owners, modes (setuid included) and times are kept; extended
 * attributes are not.
 */
public final class LayerRenderer {
    /** Default limit of entries in all layers of one image. */
    public static final int MAX_ENTRIES = 1_000_000;
    /** Default limit of the bytes of all files in all layers of one image. */
    public static final long MAX_BYTES = 64L << 30;
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final String subject;
    private final Path root;
    private final int maxEntries;
    private final long maxBytes;
    private int entries;
    private long bytes;

    /**
     * @param subject how messages name the image ({@code image docker://host/x:1})
     * @param tree the directory to fill; it exists
     */
    public LayerRenderer(String subject, Path tree) {
        this(subject, tree, MAX_ENTRIES, MAX_BYTES);
    }

    public LayerRenderer(String subject, Path tree, int maxEntries, long maxBytes) {
        this.subject = subject;
        this.root = tree.toAbsolutePath().normalize();
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** Applies one layer, read from {@code blob} (compressed or not); {@code layer} names it in messages. */
    public void apply(String layer, InputStream blob) {
        LayerState state = new LayerState(layer);
        try (InputStream in = decompressed(layer, new BufferedInputStream(blob, 1 << 16));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > maxEntries) {
                    throw refuse(layer, entry.getName(), "takes the image over " + maxEntries + " entries");
                }
                state.apply(tar, entry);
            }
        } catch (IOException e) {
            throw BosunException.invalid(subject + " has layer " + layer + ", which is not a readable tar ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " "))
                    + ")");
        }
        state.finishDirectories();
    }

    private InputStream decompressed(String layer, BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 1 << 16);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            try {
                return new ZstdCompressorInputStream(in);
            } catch (LinkageError e) {
                throw BosunException.unavailable(subject + " has the zstd-compressed layer " + layer
                        + ", and reading zstd needs the zstd-jni bundle (com.github.luben.zstd-jni), which is not installed");
            }
        }
        return in;
    }

    /** What one layer did so far: whiteouts only hide what the layers below it made. */
    private final class LayerState {
        private final String layer;
        private final Set<Path> made = new HashSet<>();
        private final List<Path> directories = new ArrayList<>();
        private final List<TarArchiveEntry> directoryEntries = new ArrayList<>();

        LayerState(String layer) {
            this.layer = layer;
        }

        void apply(TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
            String name = clean(entry.getName(), entry.getName(), "");
            if (name.isEmpty()) {
                return; // the layer's own "./": the tree's top is bosun's
            }
            String base = name.substring(name.lastIndexOf('/') + 1);
            Path target = TreePaths.parentResolved(root, name);
            if (target == null) {
                throw refuse(layer, entry.getName(), "lies below symbolic links that loop");
            }
            if (base.equals(OPAQUE)) {
                hideBelow(target.getParent(), entry.getName());
                return;
            }
            if (base.startsWith(WHITEOUT)) {
                Path hidden = target.resolveSibling(base.substring(WHITEOUT.length()));
                if (!made.contains(hidden)) {
                    delete(hidden, entry.getName());
                }
                return;
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice()) {
                throw refuse(layer, entry.getName(), "is a device node; bosun refuses device nodes in images, as rkt and"
                        + " rootless podman do (the engine gives each pod its own /dev)");
            }
            if (entry.isFIFO()) {
                throw refuse(layer, entry.getName(), "is a FIFO; bosun refuses FIFOs in images");
            }
            parentDirectories(target, entry.getName());
            if (entry.isDirectory()) {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    delete(target, entry.getName());
                    Files.createDirectory(target);
                }
                directories.add(target);
                directoryEntries.add(entry);
            } else if (entry.isSymbolicLink()) {
                String linkTarget = entry.getLinkName();
                if (linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
                    throw refuse(layer, entry.getName(), "is a symbolic link with an empty or malformed target");
                }
                if (!linkTarget.startsWith("/") && TreePaths.climbsOut(name, linkTarget)) {
                    throw refuse(layer, entry.getName(), "is a symbolic link to " + linkTarget + ", outside the image");
                }
                delete(target, entry.getName());
                Files.createSymbolicLink(target, Path.of(linkTarget));
                owner(target, entry);
            } else if (entry.isLink()) {
                String linkName = clean(entry.getLinkName(), entry.getName(), "is a hard link to " + entry.getLinkName() + ", which ");
                Path existing = linkName.isEmpty() ? null : TreePaths.parentResolved(root, linkName);
                if (existing == null || !Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                    throw refuse(layer, entry.getName(), "is a hard link to " + entry.getLinkName()
                            + ", which is not a file of the image written before it");
                }
                if (!existing.equals(target)) {
                    delete(target, entry.getName());
                    Files.createLink(target, existing);
                }
            } else if (entry.isFile()) {
                bytes += entry.getSize();
                if (bytes > maxBytes) {
                    throw refuse(layer, entry.getName(), "takes the image over " + maxBytes + " bytes");
                }
                delete(target, entry.getName());
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    tar.transferTo(out);
                }
                metadata(target, entry);
            } else {
                throw refuse(layer, entry.getName(), "has the unsupported tar entry type '" + (char) entry.getLinkFlag() + "'");
            }
            made.add(target);
        }

        /** Relative name without {@code ./} and trailing slashes; refuses absolute names and {@code ..}. */
        private String clean(String raw, String entryName, String what) {
            if (raw.indexOf('\0') >= 0 || raw.startsWith("/")) {
                throw refuse(layer, entryName, what + "has an absolute or malformed name");
            }
            List<String> parts = new ArrayList<>();
            for (String part : raw.split("/")) {
                if (part.equals("..")) {
                    throw refuse(layer, entryName, what + "climbs out of the image with '..'");
                }
                if (!part.isEmpty() && !part.equals(".")) {
                    parts.add(part);
                }
            }
            return String.join("/", parts);
        }

        private void parentDirectories(Path target, String entryName) throws IOException {
            Path parent = target.getParent();
            if (!parent.startsWith(root)) {
                throw refuse(layer, entryName, "resolves outside the image"); // cannot happen: TreePaths stays inside
            }
            try {
                Files.createDirectories(parent);
            } catch (FileAlreadyExistsException e) {
                throw refuse(layer, entryName, "lies below " + root.relativize(Path.of(e.getFile()))
                        + ", which is not a directory");
            }
        }

        /** An opaque directory: whatever the layers below put in it is gone, this layer's entries stay. */
        private void hideBelow(Path dir, String entryName) throws IOException {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    if (!made.contains(child)) {
                        delete(child, entryName);
                    } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        hideBelow(child, entryName);
                    }
                }
            }
        }

        void finishDirectories() {
            // Deepest first, so that a read-only directory's time is set after its children were made.
            for (int i = directories.size() - 1; i >= 0; i--) {
                metadata(directories.get(i), directoryEntries.get(i));
            }
        }

        private void metadata(Path target, TarArchiveEntry entry) {
            try {
                owner(target, entry);
                Files.setAttribute(target, "unix:mode", entry.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
                Files.setLastModifiedTime(target, FileTime.from(entry.getLastModifiedDate().toInstant()));
            } catch (IOException e) {
                throw refuse(layer, entry.getName(), "cannot get its owner, mode or time: " + e.getMessage());
            }
        }

        private void owner(Path target, TarArchiveEntry entry) throws IOException {
            Files.setAttribute(target, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(target, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        }

        /** Removes {@code path} and what is below it, never following a link. */
        private void delete(Path path, String entryName) throws IOException {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (path.equals(root) || !path.startsWith(root)) {
                throw refuse(layer, entryName, "would remove the image's top directory");
            }
            FileTree.delete(path);
        }
    }

    private BosunException refuse(String layer, String entryName, String what) {
        return BosunException.invalid(subject + " is refused: layer " + layer + " entry " + entryName + " " + what);
    }
}
