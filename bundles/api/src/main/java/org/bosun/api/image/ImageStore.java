package org.bosun.api.image;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The content-addressed store of fetched images and their rendered trees ({@code cas/}, {@code tree/}
 * under the data dir). Formats write blobs and records into it; pods use rendered trees from it.
 * Every operation is safe against concurrent callers in this and other processes, and against a
 * caller killed half-way.
 */
@ProviderType
public interface ImageStore {

    /** Every image in the index. */
    List<StoredImage> list(RuntimePaths paths);

    /** An image by id, unique id prefix, or name (with or without {@code :tag}/version). */
    Optional<StoredImage> find(RuntimePaths paths, String idOrName);

    /** The image recorded under this exact fetch reference ({@code docker://host/x:1}), if any. */
    Optional<StoredImage> findByReference(RuntimePaths paths, String reference);

    /** Starts writing a blob; nothing is visible until {@link BlobWriter#commit}. */
    BlobWriter newBlob(RuntimePaths paths);

    /** The file of a stored blob ({@code sha256:...}, {@code sha512-...}), read-only. */
    Optional<Path> blob(RuntimePaths paths, String digest);

    /**
     * Adds or replaces an image in the index once all its blobs are stored. Import time, last-used
     * time and size are filled in by the store.
     */
    StoredImage record(RuntimePaths paths, StoredImage image);

    /**
     * The rendered, read-only tree of an image, rendered by {@code renderer} the first time (once,
     * even with parallel callers). Used as an overlayfs lower layer or copied from.
     */
    Path tree(RuntimePaths paths, StoredImage image, TreeRenderer renderer);

    /** Notes that a pod is about to use the image (for {@code image list} and gc). */
    void markUsed(RuntimePaths paths, String id);

    /** A new, empty pin for the images of one pod being prepared; see {@link ImagePin}. */
    ImagePin pin(RuntimePaths paths);

    /**
     * Removes an image (and its tree) that no pod uses: neither a pod {@code inUse} names nor one
     * being prepared ({@link ImagePin}). {@code inUse} is asked with gc and rm held off, so a pod
     * whose pin was let go after its record was written is in it.
     */
    void remove(RuntimePaths paths, String id, Supplier<Set<String>> inUse);

    /**
     * Removes leftovers of killed fetches and renders, trees no image needs, blobs no image
     * references, and (with {@code removeUnused}) images unused for longer than {@code gracePeriod},
     * not in {@code inUse} and not held by a pod being prepared. {@code inUse} is asked as for
     * {@link #remove}.
     */
    ImageGcReport gc(RuntimePaths paths, Duration gracePeriod, boolean removeUnused, Supplier<Set<String>> inUse);

    /** Re-checks every blob's digest on disk; returns one line per problem, empty when all is well. */
    List<String> verify(RuntimePaths paths, String idOrAll);

    /** Runs {@code work} holding a cross-process lock named {@code key} (for example a reference). */
    <R> R locked(RuntimePaths paths, String key, Supplier<R> work);

    /** Renders a stored image into an empty directory. */
    @FunctionalInterface
    interface TreeRenderer {
        void render(StoredImage image, Path tree);
    }
}
