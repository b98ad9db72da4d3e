package org.bosun.api.image;

import java.nio.file.Path;

/**
 * A resolved, verified image, ready to be rendered.
 *
 * @deprecated transitional: formats move to {@link ImageFormat#fetch} and {@link ImageFormat#render} with the store
 */
@Deprecated(forRemoval = true)
public interface ImageSource {

    /** The image's content id ({@code sha512-...} or {@code sha256:...}). */
    String id();

    /** The image's manifest in bosun's common shape. */
    ImageManifest manifest();

    /**
     * Writes the image's root filesystem into {@code rootfs}, an empty directory. Entries are
     * checked as untrusted input; on failure the caller removes the directory.
     */
    void render(Path rootfs);
}
