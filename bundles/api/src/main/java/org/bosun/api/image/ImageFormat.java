package org.bosun.api.image;

import java.nio.file.Path;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One image format (appc, docker, oci). A format fetches images into the {@link ImageStore} and
 * renders stored images into trees. It verifies what it fetches according to
 * {@link FetchOptions#insecureOptions()} and refuses anything else with a message that says which
 * option would accept it.
 * <p>
 * The store is handed in per call, never kept: the store bundle may be updated between calls.
 */
@ConsumerType
public interface ImageFormat {

    /**
     * Resolves {@code reference} (one of this format's schemes), fetches whatever the store does not
     * have yet (respecting {@link FetchOptions#pullPolicy()}), verifies it, writes every blob through
     * {@link ImageStore#newBlob} and records the image with {@link ImageStore#record} last, so a
     * fetch killed at any point leaves no image visible. Fetches of the same reference by parallel
     * callers should be serialised with {@link ImageStore#locked}.
     */
    StoredImage fetch(ImageReference reference, FetchOptions options, ImageStore store);

    /**
     * Writes the root filesystem of {@code image} (and of its dependencies, in order) into
     * {@code tree}, an empty directory, from the store's blobs. Entries are checked as untrusted
     * input; on failure the caller removes the directory.
     */
    void render(StoredImage image, ImageStore store, RuntimePaths paths, Path tree);
}
