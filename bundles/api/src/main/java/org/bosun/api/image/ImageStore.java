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

    /**
     * The manifest the image came with, as stored: the {@code manifest} metadata its format kept (an
     * ACI's image manifest), or for an image whose id is a {@code sha256:} digest, the blob of that
     * digest (an OCI or Docker manifest) up to 4 MiB. Empty for an image stored without one.
     *
     * @since 1.1
     */
    Optional<String> originalManifest(RuntimePaths paths, StoredImage image);

    /**
     * Writes the image's one archive blob (an appc image: its ACI, uncompressed) to {@code file},
     * mode 0644, complete or not at all. An image of several blobs is an invalid argument, a lost
     * blob is not found, an existing {@code file} without {@code overwrite} already exists.
     *
     * @since 1.1
     */
    void export(RuntimePaths paths, StoredImage image, Path file, boolean overwrite);

    /**
     * Writes the image's root filesystem (and, unless {@link DirectoryOptions#rootfsOnly()}, its
     * manifest) into the new directory {@code directory}, complete or not at all: everything is
     * written into a temporary directory beside it, renamed into place at the end. {@code renderer}
     * renders the image, into the directory or into the store's tree (see {@link DirectoryOptions}).
     * An existing {@code directory} without {@link DirectoryOptions#overwrite()} already exists.
     *
     * @since 1.1
     */
    void writeDirectory(RuntimePaths paths, StoredImage image, Path directory, DirectoryOptions options,
            TreeRenderer renderer);

    /**
     * What {@link #writeDirectory} writes ({@code bosun image extract} and {@code image render}).
     *
     * @param fromTree copy the image's rendered tree, as pods use it (rendered into the store first
     *        if it is not there yet), instead of rendering the image straight into the directory
     * @param rootfsOnly the root filesystem only, as the directory itself; otherwise it goes to
     *        {@code rootfs/}, beside a {@code manifest} file with the image's manifest in bosun's
     *        common form (JSON)
     * @param overwrite replace the directory if it exists
     * @since 1.1
     */
    record DirectoryOptions(boolean fromTree, boolean rootfsOnly, boolean overwrite) {
    }

    /** Renders a stored image into an empty directory. */
    @FunctionalInterface
    interface TreeRenderer {
        void render(StoredImage image, Path tree);
    }
}
