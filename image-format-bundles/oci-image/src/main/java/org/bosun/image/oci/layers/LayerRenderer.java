package org.bosun.image.oci.layers;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.host.archive.TarEntry;
import org.bosun.host.archive.TarExtraction;

/**
 * Applies OCI / Docker tar layers, bottom first, to a tree, treating every layer as untrusted
 * input (OCI image spec, "Applying changesets"):
 * <ul>
 * <li>{@code .wh.NAME} removes NAME of the layers below; {@code .wh..wh..opq} hides everything the
 * layers below put in its directory;</li>
 * <li>every entry is extracted under the rule of {@link org.bosun.host.archive} that ACIs follow
 * too: no absolute names and no {@code ..}; paths resolved inside the tree through the links of the
 * layers below (a link to {@code /usr/lib} leads to the tree's {@code usr/lib}), never through a
 * link of the same layer; a symbolic link whose relative target climbs above the tree, and a hard
 * link to anything but a regular file already in the tree, are refused;</li>
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
        Layer state = new Layer(layer);
        try (InputStream in = LayerCheck.decompressed(subject, layer, new BufferedInputStream(blob, 1 << 16));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > maxEntries) {
                    throw LayerCheck.refuse(subject, layer, entry.getName(), "takes the image over " + maxEntries + " entries");
                }
                state.apply(tar, entry);
            }
        } catch (IOException e) {
            throw LayerCheck.unreadable(subject, layer, e);
        }
        state.extraction.finish();
    }

    /** One layer being applied: whiteouts only hide what the layers below it made. */
    private final class Layer {
        private final String layer;
        private final TarExtraction extraction;
        private final Set<Path> made = new HashSet<>();

        Layer(String layer) {
            this.layer = layer;
            this.extraction = new TarExtraction(root, "", "image",
                    (entry, reason) -> LayerCheck.refuse(subject, layer, entry, reason));
        }

        void apply(TarArchiveInputStream tar, TarArchiveEntry header) throws IOException {
            TarEntry entry = extraction.check(header);
            if (entry == null) {
                return; // the layer's own "./": the tree's top is bosun's
            }
            if (LayerCheck.isOpaque(entry)) {
                hideBelow(extraction.place(entry).getParent(), header.getName());
                return;
            }
            String hidden = LayerCheck.whiteout(entry, subject, layer);
            if (hidden != null) {
                Path target = extraction.place(entry).resolveSibling(hidden);
                if (!made.contains(target)) {
                    extraction.remove(target, header.getName());
                }
                return;
            }
            if (entry.type() == TarEntry.Type.FILE) {
                bytes += header.getSize();
                if (bytes > maxBytes) {
                    throw LayerCheck.refuse(subject, layer, header.getName(), "takes the image over " + maxBytes + " bytes");
                }
            }
            made.add(extraction.write(tar, entry));
        }

        /** An opaque directory: whatever the layers below put in it is gone, this layer's entries stay. */
        private void hideBelow(Path dir, String entryName) throws IOException {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    if (!made.contains(child)) {
                        extraction.remove(child, entryName);
                    } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        hideBelow(child, entryName);
                    }
                }
            }
        }
    }
}
