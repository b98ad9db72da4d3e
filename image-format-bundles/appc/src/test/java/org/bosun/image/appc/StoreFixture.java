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
                options.insecureOptions(), options.pullPolicy(), options.progress());
    }

    Fetched fetch(AciFormat format, Path file, FetchOptions options) {
        FetchOptions moved = options(options);
        StoredImage image = format.fetch(ImageReference.parse(file.toString(), Path.of("/")), moved, store);
        return new Fetched(format, moved.paths(), image);
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
