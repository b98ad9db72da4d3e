package org.bosun.image.appc;

import java.nio.file.Path;

import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.StoredImage;
import org.bosun.store.ImageStoreImpl;

/**
 * Fetches ACIs into the real image store under a scratch data directory and renders them from it,
 * the way core does for a pod.
 */
final class StoreFixture {
    private final ImageStoreImpl store = new ImageStoreImpl();
    private final Path dataDir;

    StoreFixture(Path dataDir) {
        this.dataDir = dataDir;
    }

    Path dataDir() {
        return dataDir;
    }

    ImageStoreImpl store() {
        return store;
    }

    /** {@code options} with the data directory moved to the fixture's; the configuration stays. */
    FetchOptions options(FetchOptions options) {
        RuntimePaths p = options.paths();
        return new FetchOptions(new RuntimePaths(dataDir, p.localConfigDir(), p.systemConfigDir()),
                options.insecureOptions(), options.pullPolicy(), options.progress(), options.signature());
    }

    Fetched fetch(AciFormat format, Path file, FetchOptions options) {
        return fetch(format, ImageReference.parse(file.toString(), Path.of("/")), options);
    }

    Fetched fetch(AciFormat format, ImageReference reference, FetchOptions options) {
        FetchOptions moved = options(options);
        StoredImage image = format.fetch(reference, moved, store);
        return new Fetched(format, moved.paths(), image);
    }

    /**
     * What the store holds: its images, blobs, blobs being written and trees, one line each; empty
     * when a refused fetch left nothing behind.
     */
    java.util.List<String> contents() throws java.io.IOException {
        java.util.List<String> found = new java.util.ArrayList<>();
        RuntimePaths paths = new RuntimePaths(dataDir, dataDir.resolve("etc"), dataDir.resolve("lib"));
        store.list(paths).forEach(i -> found.add("image " + i.id()));
        for (String dir : java.util.List.of("cas/blobs/sha256", "cas/blobs/sha512", "cas/tmp", "tree")) {
            Path d = dataDir.resolve(dir);
            if (java.nio.file.Files.isDirectory(d)) {
                try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(d)) {
                    entries.forEach(e -> found.add(dir + "/" + e.getFileName()));
                }
            }
        }
        return found;
    }

    /** A fetched image. */
    final class Fetched {
        private final AciFormat format;
        private final RuntimePaths paths;
        private final StoredImage image;

        Fetched(AciFormat format, RuntimePaths paths, StoredImage image) {
            this.format = format;
            this.paths = paths;
            this.image = image;
        }

        String id() {
            return image.id();
        }

        ImageManifest manifest() {
            return image.manifest();
        }

        StoredImage image() {
            return image;
        }

        void render(Path rootfs) {
            format.render(image, store, paths, rootfs);
        }
    }
}
