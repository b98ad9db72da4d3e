package org.bosun.image.oci.layers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.Progress;
import org.bosun.host.archive.PassingStream;
import org.bosun.image.oci.model.Digests;

/**
 * The blobs of one image being fetched: each written into the store as it arrives, its digest
 * computed and, for a layer, every entry checked ({@link LayerCheck}) in the same pass; committed
 * only all together, once every blob is in and none was refused. Closed without {@link #commit()},
 * nothing of the image is left in the store (the store's gc collects what a killed fetch leaves).
 * Blobs the store holds already are neither read nor written again.
 */
public final class StagedBlobs implements AutoCloseable {
    private final ImageStore store;
    private final RuntimePaths paths;
    private final LayerCheck layers;
    private final Map<String, BlobWriter> staged = new LinkedHashMap<>();

    /** @param subject how messages name the image ({@code image docker://host/x:1}) */
    public StagedBlobs(ImageStore store, RuntimePaths paths, String subject) {
        this.store = store;
        this.paths = paths;
        this.layers = new LayerCheck(subject);
    }

    /** Whether the store or this stage holds {@code digest} already. */
    public boolean has(String digest) {
        return staged.containsKey(digest) || store.blob(paths, digest).isPresent();
    }

    /** Stages small bytes (a config) that must have {@code digest}; a refusal names {@code what}. */
    public void add(String digest, byte[] bytes, String what) {
        if (has(digest)) {
            return;
        }
        try {
            stage(digest, new ByteArrayInputStream(bytes), Progress.NONE.task(digest, bytes.length), what, null);
        } catch (IOException e) {
            throw new IllegalStateException("bytes in memory cannot fail to be read", e);
        }
    }

    /**
     * Stages the layer {@code digest} read from {@code in} to its end, checking every entry as its
     * bytes go by. An {@link IOException} is the source's (a download that broke off).
     */
    public void addLayer(String digest, InputStream in, Progress.Task task, String what) throws IOException {
        if (has(digest)) {
            return;
        }
        stage(digest, in, task, what, digest);
    }

    private void stage(String digest, InputStream in, Progress.Task task, String what, String layer) throws IOException {
        Digests.check(digest, what);
        BlobWriter writer = store.newBlob(paths);
        try {
            MessageDigest sha256 = Digests.newSha256();
            PassingStream passing = new PassingStream(in, new DigestOutputStream(writer.stream(), sha256), task::advance);
            if (layer != null) {
                layers.check(layer, passing);
            } else {
                passing.transferTo(OutputStream.nullOutputStream());
            }
            String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(digest)) {
                throw BosunException.invalid(what + ": blob content does not match its digest: expected " + digest
                        + ", got " + actual + " (" + passing.count() + " bytes); the source is corrupt or was tampered with");
            }
            staged.put(digest, writer);
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** Makes every staged blob visible in the store. */
    public void commit() {
        List<String> digests = new ArrayList<>(staged.keySet());
        for (String digest : digests) {
            try (BlobWriter writer = staged.remove(digest)) {
                writer.commit(digest, "sha256");
            }
        }
    }

    /** Discards what was not committed. */
    @Override
    public void close() {
        staged.values().forEach(BlobWriter::close);
        staged.clear();
    }
}
