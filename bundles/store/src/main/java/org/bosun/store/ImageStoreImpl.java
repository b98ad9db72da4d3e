package org.bosun.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.ImageGcReport;
import org.bosun.api.image.ImagePin;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.host.TestPause;
import org.bosun.host.files.FileTree;
import org.bosun.host.lock.Flock;
import org.osgi.service.component.annotations.Component;

/**
 * The image store on disk (see {@link StoreLayout}). No state is kept between calls: every
 * operation works from the files, their flocks and the index, so several processes (the agent,
 * in-process commands) share one store, and the bundle can be updated between two calls.
 *
 * <p>Locks, always taken in this order: the gc lock ({@code cas/locks/gc.lck}, shared by fetches,
 * renders and pins, exclusive for gc and rm, which delete blobs and trees), then a named or tree
 * lock, then the index lock.
 *
 * <p>What gc and rm keep is decided under the exclusive gc lock: the images the caller's
 * {@code inUse} names when asked there (pods that record them), and those pinned by pods being
 * prepared ({@link PinnedImages}); a pod's pin is let go only after its record is written, so no
 * image a pod has chosen is ever outside both.
 */
@Component(service = ImageStore.class)
public final class ImageStoreImpl implements ImageStore {
    /** The largest blob the store accepts: far above any real layer, far below a full disk. */
    static final long MAX_BLOB_BYTES = 64L << 30;
    /**
     * The test pause point ({@link TestPause}) of an import, fetch's own or run's: the image's blobs
     * are in the store, the index does not record the image yet.
     */
    static final String RECORD_PAUSE = "fetch-record";

    private StoreLayout layout(RuntimePaths paths) {
        return new StoreLayout(paths).ensure();
    }

    private ImageIndex index(RuntimePaths paths) {
        return new ImageIndex(layout(paths));
    }

    private UsageMarks marks(RuntimePaths paths) {
        return new UsageMarks(layout(paths).used());
    }

    @Override
    public List<StoredImage> list(RuntimePaths paths) {
        UsageMarks marks = marks(paths);
        List<StoredImage> images = new ArrayList<>(index(paths).read(ImageIndex.Maps::all).stream().map(marks::apply)
                .toList());
        images.sort(Comparator.comparing(StoredImage::importTime, Comparator.nullsFirst(Comparator.naturalOrder())));
        return images;
    }

    @Override
    public Optional<StoredImage> find(RuntimePaths paths, String idOrName) {
        return Optional.ofNullable(ImageMatcher.match(list(paths), idOrName));
    }

    @Override
    public Optional<StoredImage> findByReference(RuntimePaths paths, String reference) {
        return index(paths).read(maps -> {
            String id = maps.references().get(reference);
            return Optional.ofNullable(id == null ? null : maps.image(id));
        }).map(marks(paths)::apply);
    }

    @Override
    public BlobWriter newBlob(RuntimePaths paths) {
        return new CasBlobWriter(layout(paths), MAX_BLOB_BYTES);
    }

    @Override
    public Optional<Path> blob(RuntimePaths paths, String digest) {
        Path file = layout(paths).blob(Digests.parse(digest));
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public StoredImage record(RuntimePaths paths, StoredImage image) {
        Digests.parse(image.id());
        if (image.manifest() == null || image.format() == null) {
            throw BosunException.internal("image " + image.id() + " is recorded without a manifest or format", null);
        }
        StoreLayout layout = layout(paths);
        long size = 0;
        for (String digest : image.blobs()) {
            Path blob = layout.blob(Digests.parse(digest));
            try {
                size += Files.size(blob);
            } catch (IOException e) {
                throw BosunException.internal("cannot record image " + image.id() + ": its blob " + digest
                        + " is not in the store", e);
            }
        }
        long total = size;
        TestPause.at(paths.dataDir(), RECORD_PAUSE);
        Instant now = Instant.now();
        return index(paths).apply(maps -> {
            for (String dependency : image.dependencies()) {
                if (maps.image(dependency) == null) {
                    throw BosunException.internal("cannot record image " + image.id() + ": its dependency "
                            + dependency + " is not in the store", null);
                }
            }
            StoredImage old = maps.image(image.id());
            Set<String> references = new LinkedHashSet<>(old == null ? List.of() : old.references());
            references.addAll(image.references());
            for (String ref : image.references()) {
                String previous = maps.references().put(ref, image.id());
                if (previous != null && !previous.equals(image.id())) {
                    // The reference moved (a tag now names a newer image): the old image loses it.
                    StoredImage moved = maps.image(previous);
                    if (moved != null) {
                        List<String> kept = new ArrayList<>(moved.references());
                        kept.remove(ref);
                        maps.put(withReferences(moved, kept));
                    }
                }
            }
            StoredImage stored = new StoredImage(image.id(), image.name(), image.format(), List.copyOf(references),
                    image.manifest(), image.blobs(), image.dependencies(), image.metadata(),
                    old == null ? now : old.importTime(), old == null ? null : old.lastUsed(), total);
            maps.put(stored);
            return stored;
        });
    }

    private static StoredImage withReferences(StoredImage i, List<String> refs) {
        return new StoredImage(i.id(), i.name(), i.format(), refs, i.manifest(), i.blobs(), i.dependencies(),
                i.metadata(), i.importTime(), i.lastUsed(), i.size());
    }

    @Override
    public Path tree(RuntimePaths paths, StoredImage image, TreeRenderer renderer) {
        StoreLayout layout = layout(paths);
        Path tree = layout.tree(image.id());
        try (Flock gc = Flock.shared(layout.gcLock());
                Flock lock = Flock.exclusive(layout.treeLock(image.id()))) {
            if (Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
                return tree;
            }
            Path temp;
            try {
                temp = Files.createTempDirectory(layout.trees(), "tmp-");
                // An image's / is 0755 unless its renderer says otherwise (temp directories start 0700).
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw BosunException.internal("cannot start a tree in " + layout.trees() + ": " + e.getMessage(), e);
            }
            try (Flock rendering = Flock.own(temp)) {
                renderer.render(image, temp);
                Files.move(temp, tree, StandardCopyOption.ATOMIC_MOVE);
                return tree;
            } catch (IOException | RuntimeException e) {
                FileTree.deleteQuietly(temp); // what is left, gc removes: no one holds its lock
                if (e instanceof RuntimeException r) {
                    throw r;
                }
                throw BosunException.internal("cannot store the tree of image " + image.id() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Runs on every {@code run}, so it writes no index: the time goes to the image's use mark (see
     * {@link UsageMarks}). An id the index does not hold only leaves a mark, which gc removes.
     */
    @Override
    public void markUsed(RuntimePaths paths, String id) {
        marks(paths).touch(id);
    }

    @Override
    public ImagePin pin(RuntimePaths paths) {
        return new PinnedImages(layout(paths)).pin();
    }

    @Override
    public void remove(RuntimePaths paths, String id, Supplier<Set<String>> inUse) {
        StoreLayout layout = layout(paths);
        try (Flock gc = Flock.exclusive(layout.gcLock())) {
            StoredImage image = ImageMatcher.match(list(paths), id);
            if (image == null) {
                throw BosunException.notFound("image " + id + " is not in the store; see bosun image list");
            }
            if (new PinnedImages(layout).held().contains(image.id())) {
                throw BosunException.precondition("image " + image.id() + " (" + image.name() + ") is being used by"
                        + " a pod being prepared; remove the pod once it is prepared (bosun rm), or try again");
            }
            if (inUse.get().contains(image.id())) {
                throw BosunException.precondition("image " + image.id() + " (" + image.name() + ") is used by a"
                        + " prepared or running pod; remove the pod first (bosun rm)");
            }
            index(paths).apply(maps -> {
                for (StoredImage other : maps.all()) {
                    if (other.dependencies().contains(image.id())) {
                        throw BosunException.precondition("image " + image.id() + " is a dependency of image "
                                + other.id() + " (" + other.name() + "); remove that one first");
                    }
                }
                maps.remove(image.id());
                return null;
            });
            sweep(paths, layout);
        }
    }

    @Override
    public ImageGcReport gc(RuntimePaths paths, Duration gracePeriod, boolean removeUnused,
            Supplier<Set<String>> inUse) {
        StoreLayout layout = layout(paths);
        try (Flock gc = Flock.exclusive(layout.gcLock())) {
            Leftovers leftovers = removeLeftovers(layout);
            Set<String> pinned = new PinnedImages(layout).held();
            List<String> removed = new ArrayList<>();
            if (removeUnused) {
                Instant cutoff = Instant.now().minus(gracePeriod);
                UsageMarks marks = marks(paths);
                // Asked after the pins were read: a pin let go since then was let go after its pod's record was written.
                Set<String> needed = new HashSet<>(inUse.get());
                needed.addAll(pinned);
                index(paths).apply(maps -> {
                    List<StoredImage> all = maps.all().stream().map(marks::apply).toList();
                    all.forEach(i -> needed.addAll(i.dependencies()));
                    for (StoredImage i : all) {
                        Instant used = i.lastUsed() != null ? i.lastUsed() : i.importTime();
                        if (!needed.contains(i.id()) && used != null && used.isBefore(cutoff)) {
                            maps.remove(i.id());
                            removed.add(i.id());
                        }
                    }
                    return null;
                });
            }
            Sweep sweep = sweep(paths, layout);
            return new ImageGcReport(removed, sweep.trees, sweep.blobs, leftovers.count, sweep.bytes + leftovers.bytes);
        }
    }

    private record Leftovers(int count, long bytes) {
    }

    /** Blob and tree temporaries whose writer is gone (its flock can be taken). */
    private Leftovers removeLeftovers(StoreLayout layout) {
        int count = 0;
        long bytes = 0;
        for (Path dir : List.of(layout.tmp(), layout.trees())) {
            for (Path entry : entries(dir)) {
                boolean temp = dir.equals(layout.tmp()) || entry.getFileName().toString().startsWith("tmp-");
                if (!temp) {
                    continue;
                }
                Flock probe = Flock.tryExclusive(entry);
                if (probe == null) {
                    continue; // a live fetch or render
                }
                try (probe) {
                    bytes += FileTree.delete(entry);
                    count++;
                } catch (IOException e) {
                    throw BosunException.internal("cannot remove the leftover " + entry + ": " + e.getMessage(), e);
                }
            }
        }
        return new Leftovers(count, bytes);
    }

    private record Sweep(int trees, int blobs, long bytes) {
    }

    /** Removes trees and blobs no image in the index needs. Runs under the exclusive gc lock. */
    private Sweep sweep(RuntimePaths paths, StoreLayout layout) {
        List<StoredImage> images = list(paths);
        marks(paths).retainOnly(new HashSet<>(images.stream().map(StoredImage::id).toList()));
        Set<Path> wantedTrees = new HashSet<>();
        Set<Path> wantedBlobs = new HashSet<>();
        for (StoredImage i : images) {
            wantedTrees.add(layout.tree(i.id()));
            i.blobs().forEach(b -> wantedBlobs.add(layout.blob(Digests.parse(b))));
        }
        int trees = 0;
        int blobs = 0;
        long bytes = 0;
        try {
            for (Path tree : entries(layout.trees())) {
                if (tree.getFileName().toString().startsWith("tmp-") || wantedTrees.contains(tree)) {
                    continue;
                }
                bytes += FileTree.delete(tree);
                trees++;
            }
            // Nobody holds or waits for a named or tree lock now: they are taken under the gc lock, shared.
            for (Path lock : entries(layout.locks())) {
                String name = lock.getFileName().toString();
                if (name.startsWith("key-") || name.startsWith("tree-")) {
                    Files.deleteIfExists(lock);
                }
            }
            for (String algorithm : List.of("sha256", "sha512")) {
                for (Path blob : entries(layout.blobs(algorithm))) {
                    if (!wantedBlobs.contains(blob)) {
                        bytes += Files.size(blob);
                        Files.delete(blob);
                        blobs++;
                    }
                }
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot remove unused store content: " + e.getMessage(), e);
        }
        return new Sweep(trees, blobs, bytes);
    }

    @Override
    public List<String> verify(RuntimePaths paths, String idOrAll) {
        StoreLayout layout = layout(paths);
        List<StoredImage> images = list(paths);
        if (idOrAll != null) {
            StoredImage one = ImageMatcher.match(images, idOrAll);
            if (one == null) {
                throw BosunException.notFound("image " + idOrAll + " is not in the store; see bosun image list");
            }
            images = List.of(one);
        }
        List<String> problems = new ArrayList<>();
        for (StoredImage image : images) {
            for (String digest : image.blobs()) {
                Digests.Digest d = Digests.parse(digest);
                Path blob = layout.blob(d);
                if (!Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
                    problems.add("image " + image.id() + " (" + image.name() + "): blob " + digest + " is missing");
                    continue;
                }
                String actual = hash(blob, d.algorithm());
                if (!actual.equals(d.toString())) {
                    problems.add("image " + image.id() + " (" + image.name() + "): blob " + digest
                            + " is corrupt, its content hashes to " + actual + "; remove the image and fetch it again");
                }
            }
        }
        return problems;
    }

    private static String hash(Path file, String algorithm) {
        MessageDigest md = Digests.newDigest(algorithm);
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
        return Digests.format(algorithm, md.digest());
    }

    @Override
    public <R> R locked(RuntimePaths paths, String key, Supplier<R> work) {
        StoreLayout layout = layout(paths);
        try (Flock gc = Flock.shared(layout.gcLock());
                Flock lock = Flock.exclusive(layout.namedLock(key))) {
            return work.get();
        }
    }

    @Override
    public Optional<String> originalManifest(RuntimePaths paths, StoredImage image) {
        return new ImageCopies(this, paths).originalManifest(image);
    }

    @Override
    public void export(RuntimePaths paths, StoredImage image, Path file, boolean overwrite) {
        new ImageCopies(this, paths).export(image, file, overwrite);
    }

    @Override
    public void writeDirectory(RuntimePaths paths, StoredImage image, Path directory, DirectoryOptions options,
            TreeRenderer renderer) {
        new ImageCopies(this, paths).writeDirectory(image, directory, options, renderer);
    }

    private static List<Path> entries(Path dir) {
        List<Path> result = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(result::add);
        } catch (java.nio.file.NoSuchFileException e) {
            return result;
        } catch (IOException e) {
            throw BosunException.internal("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return result;
    }
}
