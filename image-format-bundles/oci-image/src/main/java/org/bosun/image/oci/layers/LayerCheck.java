package org.bosun.image.oci.layers;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.bosun.api.BosunException;
import org.bosun.host.archive.TarEntry;
import org.bosun.host.archive.TarEntryCheck;

/**
 * The checks of {@link LayerRenderer} that need no tree, applied to the layers of one image as
 * they are fetched, bottom first: every entry by the rule of {@link org.bosun.host.archive}, the
 * names of whiteouts, and the image's entry and byte limits. A layer refused here is refused
 * before it is stored; the renderer applies the same checks, and those that need the tree, again.
 * One instance per image; its layers may be checked at the same time, from several threads.
 */
public final class LayerCheck {
    static final String WHITEOUT = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";

    private final String subject;
    private final int maxEntries;
    private final long maxBytes;
    // The image's totals: its layers may be checked at the same time, on threads of their own.
    private final AtomicInteger entries = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    /** @param subject how messages name the image ({@code image docker://host/x:1}) */
    public LayerCheck(String subject) {
        this(subject, LayerRenderer.MAX_ENTRIES, LayerRenderer.MAX_BYTES);
    }

    LayerCheck(String subject, int maxEntries, long maxBytes) {
        this.subject = subject;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /**
     * Reads the layer {@code layer} (compressed or not) from {@code in} to its very end, checking
     * each entry. An {@link IOException} of {@code in} itself comes out as it is (the source
     * failed); what cannot be read as a layer is refused.
     */
    public void check(String layer, InputStream in) throws IOException {
        Source source = new Source(in);
        TarEntryCheck check = new TarEntryCheck("", "image", (entry, reason) -> refuse(subject, layer, entry, reason));
        try (InputStream tarStream = decompressed(subject, layer, new BufferedInputStream(source, 1 << 16));
                TarArchiveInputStream tar = new TarArchiveInputStream(tarStream)) {
            TarArchiveEntry header;
            while ((header = tar.getNextEntry()) != null) {
                if (entries.incrementAndGet() > maxEntries) {
                    throw refuse(subject, layer, header.getName(), "takes the image over " + maxEntries + " entries");
                }
                TarEntry entry = check.check(header);
                if (entry == null) {
                    continue;
                }
                if (!isOpaque(entry) && whiteout(entry, subject, layer) == null && entry.type() == TarEntry.Type.FILE) {
                    if (bytes.addAndGet(header.getSize()) > maxBytes) {
                        throw refuse(subject, layer, header.getName(), "takes the image over " + maxBytes + " bytes");
                    }
                }
            }
            check.finish();
            // What follows the archive's end is the blob's too: read, so that it passes the digest.
            tarStream.transferTo(OutputStream.nullOutputStream());
            source.transferTo(OutputStream.nullOutputStream());
        } catch (Source.Failed e) {
            throw e.getCause();
        } catch (IOException e) {
            throw unreadable(subject, layer, e);
        }
    }

    /** Whether the entry marks its directory opaque. */
    static boolean isOpaque(TarEntry entry) {
        return entry.baseName().equals(OPAQUE);
    }

    /**
     * What a whiteout entry hides: the name after {@code .wh.}; null when the entry is no whiteout
     * (an opaque marker neither). A whiteout of no name ({@code .wh.}, {@code .wh..}, {@code .wh...})
     * is refused: it would remove its own directory or the one above.
     */
    static String whiteout(TarEntry entry, String subject, String layer) {
        String base = entry.baseName();
        if (isOpaque(entry) || !base.startsWith(WHITEOUT)) {
            return null;
        }
        String hidden = base.substring(WHITEOUT.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            throw refuse(subject, layer, entry.rawName(), "is a whiteout of no name");
        }
        return hidden;
    }

    /** The tar stream of a layer, whatever its compression, read from its first bytes. */
    static InputStream decompressed(String subject, String layer, BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            // Every member, whatever the source says is available: the check and the render read the same bytes.
            return new GzipCompressorInputStream(in, true);
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

    static BosunException unreadable(String subject, String layer, IOException e) {
        return BosunException.invalid(subject + " has layer " + layer + ", which is not a readable tar ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ")) + ")");
    }

    static BosunException refuse(String subject, String layer, String entryName, String what) {
        return BosunException.invalid(subject + " is refused: layer " + layer + " entry " + entryName + " " + what);
    }

    /** The layer's bytes, with the failures of their source told apart from those of reading them. */
    private static final class Source extends InputStream {
        private final InputStream in;

        Source(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw new Failed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw new Failed(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes are read all the same: the caller's stream sees (and hashes) each of them.
            return super.skip(n);
        }

        @Override
        public void close() {
            // the caller's stream is the caller's to close
        }

        static final class Failed extends IOException {
            private static final long serialVersionUID = 1L;

            Failed(IOException cause) {
                super(cause);
            }

            @Override
            public synchronized IOException getCause() {
                return (IOException) super.getCause();
            }
        }
    }
}
