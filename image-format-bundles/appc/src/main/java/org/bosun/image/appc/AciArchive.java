package org.bosun.image.appc;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.bosun.api.BosunException;
import org.bosun.host.archive.TarEntryCheck;

/**
 * An ACI file: a tar archive, compressed with gzip, bzip2 or xz or not at all, holding
 * {@code manifest} and {@code rootfs/}. Its image id is the sha512 of the uncompressed tar.
 */
final class AciArchive {
    /** The directory of the archive that holds the image's tree. */
    static final String ROOTFS = "rootfs/";
    static final int MAX_MANIFEST_BYTES = 1 << 20;
    static final int MAX_ENTRIES = 1_000_000;

    private final Path file;
    private final String label;
    private final boolean pinsContent;
    /** The SHA-512 of the file's bytes as first read in full, when the archive pins its content. */
    private volatile byte[] contentDigest;

    AciArchive(Path file) {
        this(file, false);
    }

    /**
     * With {@code pinsContent}, the first full read of the file records the SHA-512 of its bytes,
     * and every later read must see the same bytes: a verified image cannot be swapped for another
     * between its scan, its signature check and its rendering.
     */
    AciArchive(Path file, boolean pinsContent) {
        this(file, file.toString(), pinsContent);
    }

    /**
     * An archive that messages call {@code label} (the file it was fetched from, not its blob);
     * {@code file} is null for one being downloaded, which only {@link #scan(InputStream)} reads.
     */
    AciArchive(Path file, String label, boolean pinsContent) {
        this.file = file;
        this.label = label;
        this.pinsContent = pinsContent;
    }

    /** Checks that a read of the whole file saw the pinned bytes; pins them if nothing was pinned yet. */
    void checkContent(byte[] sha512) {
        if (contentDigest == null) {
            contentDigest = sha512;
        } else if (!MessageDigest.isEqual(contentDigest, sha512)) {
            throw BosunException.precondition("image " + file + " changed while bosun was reading it; make sure"
                    + " nothing writes to it and try again");
        }
    }

    Path file() {
        return file;
    }

    /** The SHA-512 of the file's bytes once a full read pinned them, else null. */
    byte[] contentDigest() {
        byte[] d = contentDigest;
        return d == null ? null : d.clone();
    }

    /**
     * Reads the whole archive once: its id and its manifest bytes. Every entry of the rootfs is
     * checked by the rule of {@link org.bosun.host.archive} as it streams through the digest, so an
     * image whose entries rendering would refuse is refused here, before anything is stored.
     */
    Scan scan() {
        try (InputStream raw = raw()) {
            return scan(raw);
        } catch (IOException e) {
            throw refuse("is not a readable ACI (" + e.getMessage() + ")");
        }
    }

    /** As {@link #scan()}, over the archive's bytes (compressed or not) read from {@code raw} to its end. */
    Scan scan(InputStream raw) {
        MessageDigest sha512 = sha512();
        byte[] manifest = null;
        int entries = 0;
        TarEntryCheck check = new TarEntryCheck(ROOTFS, "rootfs", this::refuseEntry);
        try (InputStream tarStream = decompress(raw); DigestInputStream digesting = new DigestInputStream(tarStream, sha512);
                TarArchiveInputStream tar = new TarArchiveInputStream(digesting)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw refuse("has more than " + MAX_ENTRIES + " entries");
                }
                check.check(entry);
                String name = stripDot(entry.getName());
                if (name.equals("manifest") && entry.isFile()) {
                    if (entry.getSize() > MAX_MANIFEST_BYTES) {
                        throw refuse("has a manifest of " + entry.getSize() + " bytes, more than the "
                                + MAX_MANIFEST_BYTES + " allowed");
                    }
                    manifest = tar.readAllBytes();
                }
            }
            check.finish();
            // The id covers the whole tar stream, including its end-of-archive padding.
            digesting.transferTo(OutputNull.INSTANCE);
            // And the whole file: what follows a compressed stream is read too (into the blob, when downloading).
            raw.transferTo(OutputNull.INSTANCE);
        } catch (IOException e) {
            throw refuse("is not a readable ACI (" + e.getMessage() + ")");
        }
        if (manifest == null) {
            throw refuse("has no manifest entry; an ACI holds 'manifest' and 'rootfs/'");
        }
        return new Scan("sha512-" + HexFormat.of().formatHex(sha512.digest()), manifest);
    }

    /** The archive's id and manifest. */
    record Scan(String id, byte[] manifest) {
    }

    /** The tar stream, whatever the compression. */
    InputStream decompressed() throws IOException {
        return decompress(raw());
    }

    /** The file's bytes as stored (compressed or not). */
    private InputStream raw() throws IOException {
        InputStream raw = Files.newInputStream(file);
        return pinsContent ? new PinnedContent(raw) : raw;
    }

    /** The tar stream inside {@code raw}, whatever the compression. */
    private static InputStream decompress(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GzipCompressorInputStream(in, true);
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            return new BZip2CompressorInputStream(in, true);
        }
        if (magic.length >= 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
                && magic[4] == 'Z' && magic[5] == 0) {
            return new XZCompressorInputStream(in, true);
        }
        return in;
    }

    BosunException refuse(String what) {
        return BosunException.invalid("image " + label + " " + what);
    }

    /** An entry the rule of {@link org.bosun.host.archive} refuses, in one line naming the image and the entry. */
    BosunException refuseEntry(String entryName, String what) {
        return refuse("is refused: entry " + entryName + " " + what);
    }

    static String stripDot(String name) {
        return name.startsWith("./") ? name.substring(2) : name;
    }

    static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file's bytes, hashed as they are read; on close the rest is read too and the hash checked. */
    private final class PinnedContent extends DigestInputStream {
        private boolean closed;

        PinnedContent(InputStream in) {
            super(in, sha512());
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                transferTo(OutputNull.INSTANCE);
            } finally {
                super.close();
            }
            checkContent(getMessageDigest().digest());
        }
    }

    /** Discards what is written to it. */
    static final class OutputNull extends java.io.OutputStream {
        static final OutputNull INSTANCE = new OutputNull();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
