package org.bosun.image.appc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.host.archive.TarEntry;
import org.bosun.host.archive.TarExtraction;

/**
 * Extracts the {@code rootfs/} of an ACI as untrusted input, under the rule of {@link
 * org.bosun.host.archive} that the OCI layers follow too: an entry is refused, and the whole render
 * fails, when it is absolute or holds {@code ..}, when it would be written through a symbolic link
 * the ACI made, when it is a symbolic or hard link that leads outside the rootfs, or when it is a
 * device node or FIFO. Ownership, modes (setuid included) and times are kept.
 */
final class RootfsExtractor {
    private static final long MAX_TOTAL_BYTES = 64L << 30;

    private final AciArchive archive;
    private final Path root;

    RootfsExtractor(AciArchive archive, Path root) {
        this.archive = archive;
        this.root = root;
    }

    void extract() {
        TarExtraction extraction = new TarExtraction(root, AciArchive.ROOTFS, "rootfs", archive::refuseEntry);
        int entries = 0;
        long total = 0;
        try (InputStream raw = archive.decompressed(); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry header;
            while ((header = tar.getNextEntry()) != null) {
                if (++entries > AciArchive.MAX_ENTRIES) {
                    throw archive.refuse("has more than " + AciArchive.MAX_ENTRIES + " entries");
                }
                TarEntry entry = extraction.check(header);
                if (entry == null) {
                    continue; // the manifest, or the rootfs/ directory itself
                }
                if (entry.type() == TarEntry.Type.FILE) {
                    total += header.getSize();
                    if (total > MAX_TOTAL_BYTES) {
                        throw archive.refuseEntry(header.getName(), "takes the image over " + (MAX_TOTAL_BYTES >> 30) + " GiB");
                    }
                }
                extraction.write(tar, entry);
            }
        } catch (IOException e) {
            throw archive.refuse("cannot be extracted: " + e.getMessage());
        }
        extraction.finish();
    }
}
