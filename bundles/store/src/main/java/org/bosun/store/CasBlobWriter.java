package org.bosun.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

import org.bosun.api.BosunException;
import org.bosun.api.image.BlobWriter;
import org.bosun.host.lock.Flock;

/**
 * A blob written to {@code cas/tmp/} while both digests are computed, then renamed to its digest's
 * name on commit. The temporary file is flocked for as long as it is written, so gc can tell a
 * live writer from the leftover of a killed one. A blob already stored is not written twice: the
 * commit discards the duplicate.
 */
final class CasBlobWriter implements BlobWriter {
    private final StoreLayout layout;
    private final long maxBytes;
    private final Path temp;
    private final Flock lock;
    private final FileChannel channel;
    private final MessageDigest sha256 = Digests.newDigest("sha256");
    private final MessageDigest sha512 = Digests.newDigest("sha512");
    private final OutputStream stream;
    private long written;
    private boolean done;

    CasBlobWriter(StoreLayout layout, long maxBytes) {
        this.layout = layout;
        this.maxBytes = maxBytes;
        try {
            this.temp = Files.createTempFile(layout.tmp(), "blob-", ".part");
            this.lock = Flock.own(temp);
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw BosunException.internal("cannot start a blob in " + layout.tmp() + ": " + e.getMessage(), e);
        }
        this.stream = new FilterOutputStream(Channels.newOutputStream(channel)) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (done) {
                    throw new IOException("blob " + temp.getFileName() + " is already committed or closed");
                }
                written += len;
                if (written > maxBytes) {
                    throw new IOException("blob exceeds the store's limit of " + maxBytes + " bytes");
                }
                sha256.update(b, off, len);
                sha512.update(b, off, len);
                out.write(b, off, len);
            }

            @Override
            public void close() {
                // The writer owns the file; commit or close end it.
            }
        };
    }

    @Override
    public OutputStream stream() {
        return stream;
    }

    @Override
    public String commit(String expectedDigest, String algorithm) {
        if (done) {
            throw BosunException.internal("blob " + temp.getFileName() + " is already committed or closed", null);
        }
        String actual256 = Digests.format("sha256", sha256.digest());
        String actual512 = Digests.format("sha512", sha512.digest());
        Digests.Digest target;
        if (expectedDigest != null) {
            Digests.Digest expected = Digests.parse(expectedDigest);
            String actual = expected.algorithm().equals("sha512") ? actual512 : actual256;
            if (!actual.equals(expected.toString())) {
                close();
                throw BosunException.invalid("blob content does not match its digest: expected " + expected
                        + ", got " + actual + " (" + written + " bytes); the source is corrupt or was tampered with");
            }
            target = expected;
        } else {
            target = Digests.parse(Digests.checkAlgorithm(algorithm).equals("sha512") ? actual512 : actual256);
        }
        try {
            channel.force(true);
            channel.close();
            Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
            Path blob = layout.blob(target);
            if (Files.exists(blob)) {
                Files.delete(temp);
            } else {
                try {
                    Files.move(temp, blob, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    Files.delete(temp);
                }
            }
        } catch (IOException e) {
            close();
            throw BosunException.internal("cannot store blob " + target + ": " + e.getMessage(), e);
        } finally {
            done = true;
            lock.close();
        }
        return target.toString();
    }

    @Override
    public void close() {
        if (!done) {
            done = true;
            try {
                channel.close();
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // gc removes it: the lock goes with this writer.
            } finally {
                lock.close();
            }
        }
    }
}
