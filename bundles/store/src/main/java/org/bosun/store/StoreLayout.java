package org.bosun.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;

/**
 * Where the store keeps things under the data directory:
 * <pre>
 * cas/blobs/sha256/&lt;hex&gt;, cas/blobs/sha512/&lt;hex&gt;   committed blobs, read-only (0444)
 * cas/tmp/                                    blobs being written (flocked by their writer)
 * cas/index.mv.db, cas/index.lck              the image index (H2 MVStore) and its lock
 * cas/locks/                                  named locks ({@code locked}) and the gc lock
 * cas/used/&lt;algorithm&gt;-&lt;hex&gt;                    when a pod last used an image (its mtime)
 * cas/pins/pin-*                              images pods being prepared hold (flocked by their process)
 * tree/&lt;image id&gt;                              rendered trees
 * tree/tmp-*                                  trees being rendered (flocked by their renderer)
 * </pre>
 */
final class StoreLayout {
    private final Path cas;
    private final Path tree;

    StoreLayout(RuntimePaths paths) {
        this.cas = paths.dataDir().resolve("cas");
        this.tree = paths.dataDir().resolve("tree");
    }

    /** Creates the directories once; harmless when they exist. */
    StoreLayout ensure() {
        try {
            for (Path dir : new Path[] {blobs("sha256"), blobs("sha512"), tmp(), locks(), pins(), tree}) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot create the image store in " + cas.getParent() + ": " + e.getMessage(), e);
        }
        return this;
    }

    Path blobs(String algorithm) {
        return cas.resolve("blobs").resolve(algorithm);
    }

    Path blob(Digests.Digest digest) {
        return blobs(digest.algorithm()).resolve(digest.hex());
    }

    Path tmp() {
        return cas.resolve("tmp");
    }

    Path locks() {
        return cas.resolve("locks");
    }

    /** One empty file per image whose modification time says when a pod last used it. */
    Path used() {
        return cas.resolve("used");
    }

    /** One file per {@link org.bosun.api.image.ImagePin}, listing the images it holds. */
    Path pins() {
        return cas.resolve("pins");
    }

    Path index() {
        return cas.resolve("index.mv.db");
    }

    Path indexLock() {
        return cas.resolve("index.lck");
    }

    /** Held shared by fetches ({@code locked}) and exclusively by gc, which may delete their blobs. */
    Path gcLock() {
        return locks().resolve("gc.lck");
    }

    /** The lock file of a name: hashed, so any reference makes a safe file name. */
    Path namedLock(String key) {
        byte[] hash = Digests.newDigest("sha256").digest(key.getBytes(StandardCharsets.UTF_8));
        return locks().resolve("key-" + HexFormat.of().formatHex(hash, 0, 16) + ".lck");
    }

    Path trees() {
        return tree;
    }

    /** An image's tree: its id, with the separator made file-name safe. */
    Path tree(String imageId) {
        Digests.Digest d = Digests.parse(imageId);
        return tree.resolve(d.algorithm() + "-" + d.hex());
    }

    Path treeLock(String imageId) {
        return locks().resolve("tree-" + tree(imageId).getFileName() + ".lck");
    }
}
