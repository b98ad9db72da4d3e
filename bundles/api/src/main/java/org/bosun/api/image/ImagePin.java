package org.bosun.api.image;

import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The images a pod being prepared has chosen, held from the moment each is chosen until the pod's
 * own record names it: {@link ImageStore#gc} and {@link ImageStore#remove} keep a held image, its
 * blobs and its tree, whatever its last use. The pod's record (its manifest, which the callers of
 * gc and rm name as {@code inUse}) protects the images from then on, so the pin is closed once that
 * record is written. A pin of a process that died holds nothing.
 */
@ProviderType
public interface ImagePin extends AutoCloseable {

    /**
     * Chooses an image with {@code choice} (a lookup in the store, or a fetch into it) and holds it.
     * The choice runs with gc and rm held off, so the image it returns cannot be removed between being
     * chosen and being held.
     */
    StoredImage hold(Supplier<StoredImage> choice);

    /** Lets the held images go. */
    @Override
    void close();
}
