package org.bosun.api.image;

import java.io.OutputStream;

/**
 * A blob being written into the store. Close without commit discards it.
 */
public interface BlobWriter extends AutoCloseable {

    /** Where to write the blob's bytes. */
    OutputStream stream();

    /**
     * Makes the blob visible under its digest. With {@code expectedDigest} ({@code sha256:...} or
     * {@code sha512-...}) the written bytes must match it, or the blob is discarded and a
     * {@link org.bosun.api.BosunException} names both digests; with null, the digest is computed
     * with {@code algorithm} ({@code sha256} or {@code sha512}). Returns the digest.
     */
    String commit(String expectedDigest, String algorithm);

    @Override
    void close();
}
