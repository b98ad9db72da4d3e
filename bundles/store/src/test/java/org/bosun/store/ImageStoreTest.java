package org.bosun.store;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.ImageGcReport;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImagePin;
import org.bosun.api.image.StoredImage;
import org.bosun.host.files.FileTree;
import org.bosun.host.lock.LockHolder;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The image store on disk: blobs by digest, the index, trees, gc and verify. */
public class ImageStoreTest {
    private Path root;
    private RuntimePaths paths;
    private final ImageStoreImpl store = new ImageStoreImpl();

    @Before
    public void createDataDir() throws IOException {
        root = Files.createTempDirectory("bosun-store-test-");
        paths = new RuntimePaths(root.resolve("data"), root.resolve("etc"), root.resolve("lib"));
    }

    @After
    public void removeDataDir() throws IOException {
        FileTree.delete(root);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private String writeBlob(byte[] bytes) throws IOException {
        try (BlobWriter w = store.newBlob(paths)) {
            w.stream().write(bytes);
            return w.commit(null, "sha256");
        }
    }

    private StoredImage image(String blob, String name, String ref) {
        ImageManifest manifest = new ImageManifest(name, Map.of("version", "1"), List.of("/bin/sh"), "0", "0", "/",
                Map.of(), Map.of());
        return new StoredImage(blob, name, "test", List.of(ref), manifest, List.of(blob), List.of(), Map.of(), null,
                null, 0);
    }

    private List<Path> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    public void aCommittedBlobIsStoredUnderItsDigestReadOnly() throws Exception {
        byte[] bytes = "layer".getBytes(StandardCharsets.UTF_8);
        String digest = writeBlob(bytes);
        assertEquals(sha256(bytes), digest);
        Path file = store.blob(paths, digest).orElseThrow();
        assertEquals(root.resolve("data/cas/blobs/sha256").resolve(digest.substring(7)), file);
        assertEquals("layer", Files.readString(file));
        assertEquals("read-only", "r--r--r--",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("no temporary files left", List.of(), files(root.resolve("data/cas/tmp")));
    }

    @Test
    public void aBlobWhoseDigestDoesNotMatchIsRefusedAndNothingIsVisible() throws Exception {
        String expected = sha256("the real layer".getBytes(StandardCharsets.UTF_8));
        BosunException e;
        try (BlobWriter w = store.newBlob(paths)) {
            w.stream().write("a tampered layer".getBytes(StandardCharsets.UTF_8));
            e = assertThrows(BosunException.class, () -> w.commit(expected, null));
        }
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(store.blob(paths, expected).isEmpty());
        assertEquals(List.of(), files(root.resolve("data/cas/blobs/sha256")));
        assertEquals(List.of(), files(root.resolve("data/cas/tmp")));
    }

    @Test
    public void aBlobClosedWithoutCommitLeavesNothing() throws Exception {
        try (BlobWriter w = store.newBlob(paths)) {
            w.stream().write(new byte[1000]);
        }
        assertEquals(List.of(), files(root.resolve("data/cas/tmp")));
        assertEquals(List.of(), files(root.resolve("data/cas/blobs/sha256")));
    }

    @Test
    public void theSameBlobWrittenTwiceIsStoredOnce() throws Exception {
        byte[] bytes = "same".getBytes(StandardCharsets.UTF_8);
        assertEquals(writeBlob(bytes), writeBlob(bytes));
        assertEquals(1, files(root.resolve("data/cas/blobs/sha256")).size());
    }

    @Test
    public void recordedImagesAreFoundByIdPrefixNameTagAndReference() throws Exception {
        String blob = writeBlob("rootfs".getBytes(StandardCharsets.UTF_8));
        StoredImage recorded = store.record(paths, image(blob, "example.com/app", "docker://example.com/app:1"));
        assertEquals(6, recorded.size());
        assertTrue(recorded.importTime() != null);

        // A new store object reads the same index: nothing lives in memory.
        ImageStoreImpl other = new ImageStoreImpl();
        assertEquals(blob, other.find(paths, blob).orElseThrow().id());
        assertEquals(blob, other.find(paths, blob.substring(0, 15)).orElseThrow().id());
        assertEquals(blob, other.find(paths, blob.substring(7, 20)).orElseThrow().id());
        assertEquals(blob, other.find(paths, "example.com/app").orElseThrow().id());
        assertEquals(blob, other.find(paths, "example.com/app:1").orElseThrow().id());
        assertEquals(blob, other.findByReference(paths, "docker://example.com/app:1").orElseThrow().id());
        assertTrue(other.find(paths, "example.com/app:2").isEmpty());
        assertEquals(recorded.manifest(), other.list(paths).get(0).manifest());
    }

    /** Security modules read an app's isolators from the stored manifest: they must survive the index. */
    @Test
    public void anImagesIsolatorsAndOtherAppFactsAreReadBackFromTheIndex() throws Exception {
        String blob = writeBlob("rootfs with isolators".getBytes(StandardCharsets.UTF_8));
        List<ImageManifest.Isolator> isolators = List.of(
                new ImageManifest.Isolator("os/linux/capabilities-retain-set", "{\"set\":[\"CAP_NET_BIND_SERVICE\"]}"),
                new ImageManifest.Isolator("os/linux/no-new-privileges", "false"));
        ImageManifest manifest = new ImageManifest("example.com/isolated", Map.of("version", "1"), List.of("/bin/sh"),
                "0", "0", "/", Map.of("A", "1"), Map.of(), null, null, Map.of("pre-start", List.of("/bin/true")),
                List.of(10, 20), isolators);
        store.record(paths, new StoredImage(blob, "example.com/isolated", "test", List.of("example.com/isolated"),
                manifest, List.of(blob), List.of(), Map.of(), null, null, 0));

        ImageManifest read = new ImageStoreImpl().find(paths, blob).orElseThrow().manifest();
        assertEquals(isolators, read.isolators());
        assertEquals(List.of(10, 20), read.supplementaryGids());
        assertEquals(Map.of("pre-start", List.of("/bin/true")), read.eventHandlers());
        assertEquals(manifest, read);
    }

    @Test
    public void recordingAnImageWhoseBlobIsMissingIsRefused() {
        String missing = "sha256:" + "ab".repeat(32);
        BosunException e = assertThrows(BosunException.class, () -> store.record(paths, image(missing, "x", "r")));
        assertTrue(e.getMessage(), e.getMessage().contains(missing));
        assertEquals(List.of(), store.list(paths));
    }

    @Test
    public void anImageUsedByAPodIsNotRemoved() throws Exception {
        String blob = writeBlob("in use".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(blob, "example.com/app", "r"));
        BosunException e = assertThrows(BosunException.class, () -> store.remove(paths, blob, () -> Set.of(blob)));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        store.remove(paths, "example.com/app", () -> Set.of());
        assertEquals(List.of(), store.list(paths));
        assertTrue("its blob went with it", store.blob(paths, blob).isEmpty());
    }

    @Test
    public void aTreeIsRenderedOnceEvenWithParallelCallers() throws Exception {
        String blob = writeBlob("tree".getBytes(StandardCharsets.UTF_8));
        StoredImage image = store.record(paths, image(blob, "example.com/app", "r"));
        AtomicInteger renders = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> trees = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                trees.add(pool.submit(() -> {
                    start.await();
                    return store.tree(paths, image, (img, dir) -> {
                        renders.incrementAndGet();
                        try {
                            Thread.sleep(100);
                            Files.writeString(dir.resolve("hello"), "hi");
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }));
            }
            start.countDown();
            Path first = trees.get(0).get(30, TimeUnit.SECONDS);
            for (Future<Path> t : trees) {
                assertEquals(first, t.get(30, TimeUnit.SECONDS));
            }
            assertEquals(1, renders.get());
            assertEquals("hi", Files.readString(first.resolve("hello")));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void aFailedRenderLeavesNoTree() throws Exception {
        String blob = writeBlob("bad".getBytes(StandardCharsets.UTF_8));
        StoredImage image = store.record(paths, image(blob, "example.com/app", "r"));
        assertThrows(BosunException.class, () -> store.tree(paths, image, (img, dir) -> {
            try {
                Files.writeString(dir.resolve("half"), "written");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw BosunException.invalid("entry x is refused");
        }));
        assertEquals(List.of(), files(root.resolve("data/tree")));
    }

    @Test
    public void gcRemovesLeftoversOfKilledFetchesButNotLiveOnes() throws Exception {
        // What a fetch killed mid-blob, mid-render and between commit and record leaves: files no one locks.
        Files.createDirectories(root.resolve("data/cas/tmp"));
        Files.writeString(root.resolve("data/cas/tmp/blob-1.part"), "half a layer");
        Files.createDirectories(root.resolve("data/tree/tmp-123/usr"));
        String orphan = writeBlob("committed, never recorded".getBytes(StandardCharsets.UTF_8));
        String kept = writeBlob("recorded".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(kept, "example.com/kept", "r"));
        try (BlobWriter live = store.newBlob(paths)) {
            live.stream().write("still downloading".getBytes(StandardCharsets.UTF_8));

            ImageGcReport report = store.gc(paths, Duration.ofHours(24), true, () -> Set.of());

            assertEquals(2, report.leftovers());
            assertEquals(1, report.blobs());
            assertEquals(List.of(), report.images());
            assertTrue(store.blob(paths, orphan).isEmpty());
            assertTrue(store.blob(paths, kept).isPresent());
            assertFalse(Files.exists(root.resolve("data/tree/tmp-123")));
            assertEquals("the live writer's file stays", 1, files(root.resolve("data/cas/tmp")).size());
            live.commit(null, "sha256");
        }
    }

    @Test
    public void gcRemovesImagesUnusedForTheGracePeriodUnlessInUse() throws Exception {
        String a = writeBlob("a".getBytes(StandardCharsets.UTF_8));
        String b = writeBlob("b".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(a, "example.com/a", "ra"));
        store.record(paths, image(b, "example.com/b", "rb"));
        store.tree(paths, store.find(paths, a).orElseThrow(), (img, dir) -> { });

        assertEquals(List.of(), store.gc(paths, Duration.ofHours(1), true, () -> Set.of()).images());
        ImageGcReport report = store.gc(paths, Duration.ZERO, true, () -> Set.of(b));

        assertEquals(List.of(a), report.images());
        assertEquals(1, report.trees());
        assertEquals(List.of(b), store.list(paths).stream().map(StoredImage::id).toList());
        assertEquals(List.of(), files(root.resolve("data/tree")));
    }

    @Test
    public void verifyFindsACorruptedBlob() throws Exception {
        String blob = writeBlob("good content".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(blob, "example.com/app", "r"));
        assertEquals(List.of(), store.verify(paths, null));

        Path file = store.blob(paths, blob).orElseThrow();
        file.toFile().setWritable(true);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("bad content!".getBytes(StandardCharsets.UTF_8));
        }

        List<String> problems = store.verify(paths, "example.com/app");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0), problems.get(0).contains(blob) && problems.get(0).contains("corrupt"));
    }

    @Test
    public void lockedRunsOneCallerAtATimePerKey() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(pool.submit(() -> store.locked(paths, "docker://x/y:1", () -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return inside.decrementAndGet();
                })));
            }
            for (Future<?> f : all) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(1, most.get());
        } finally {
            pool.shutdownNow();
        }
    }
    @Test
    public void lookupsAndMarkingAnImageUsedLeaveTheIndexFileUntouched() throws Exception {
        String blob = writeBlob("used".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(blob, "example.com/app", "docker://example.com/app:1"));
        Path index = root.resolve("data/cas/index.mv.db");
        byte[] before = Files.readAllBytes(index);
        java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(index);

        store.find(paths, "example.com/app:1").orElseThrow();
        store.findByReference(paths, "docker://example.com/app:1").orElseThrow();
        store.list(paths);
        store.markUsed(paths, blob);

        assertEquals("nothing was written (nor synced) to the index", modified, Files.getLastModifiedTime(index));
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(index)));
        StoredImage used = store.find(paths, blob).orElseThrow();
        assertTrue("the last use is the mark's: " + used, used.lastUsed() != null
                && !used.lastUsed().isBefore(used.importTime()));
    }

    @Test
    public void anEmptyStoreListsNothingWithoutCreatingAnIndex() {
        assertEquals(List.of(), store.list(paths));
        assertTrue(store.find(paths, "example.com/app").isEmpty());
        assertFalse(Files.exists(root.resolve("data/cas/index.mv.db")));
    }

    @Test
    public void gcGoesByTheLastUseMarkAndDropsTheMarksOfRemovedImages() throws Exception {
        String a = writeBlob("a".getBytes(StandardCharsets.UTF_8));
        String b = writeBlob("b".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(a, "example.com/a", "ra"));
        store.record(paths, image(b, "example.com/b", "rb"));
        store.markUsed(paths, b);
        // A use that lies after any cutoff: only the mark keeps b.
        Path mark = root.resolve("data/cas/used/sha256-" + b.substring("sha256:".length()));
        Files.setLastModifiedTime(mark, java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(3600)));
        Duration grace = Duration.ZERO;

        ImageGcReport report = store.gc(paths, grace, true, () -> Set.of());

        assertEquals(List.of(a), report.images());
        assertEquals(List.of(b), store.list(paths).stream().map(StoredImage::id).toList());
        store.remove(paths, b, () -> Set.of());
        assertEquals("no mark outlives its image", List.of(), files(root.resolve("data/cas/used")));
    }

    // ------------------------------------------------------------------ pins (issue 12 item 6)

    @Test
    public void gcAndRmKeepAPinnedImageItsBlobAndItsTreeUntilThePinIsClosed() throws Exception {
        String a = writeBlob("a".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(a, "example.com/a", "ra"));
        try (ImagePin pin = store.pin(paths)) {
            StoredImage held = pin.hold(() -> store.find(paths, "example.com/a").orElseThrow());
            Path tree = store.tree(paths, held, (img, dir) -> createDirectoriesUnchecked(dir.resolve("bin")));

            assertEquals(List.of(), store.gc(paths, Duration.ZERO, true, () -> Set.of()).images());
            BosunException rm = assertThrows(BosunException.class, () -> store.remove(paths, a, () -> Set.of()));
            assertEquals(ErrorKind.FAILED_PRECONDITION, rm.kind());
            assertTrue(store.blob(paths, a).isPresent());
            assertTrue(Files.isDirectory(tree.resolve("bin")));
        }
        assertEquals(List.of(a), store.gc(paths, Duration.ZERO, true, () -> Set.of()).images());
        assertEquals("the closed pin left no file", List.of(), files(root.resolve("data/cas/pins")));
    }

    private static Path createDirectoriesUnchecked(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a pod does: the pin is let go once the pod's record names the image. A gc that started
     * before (here: waiting for the gc lock that a fetch holds) must see that record, so it asks for
     * the images in use only once it holds the lock.
     */
    @Test
    public void gcAsksForTheImagesInUseOnceItHoldsItsLock() throws Exception {
        String a = writeBlob("a".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(a, "example.com/a", "ra"));
        Set<String> recorded = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ImagePin pin = store.pin(paths);
        pin.hold(() -> store.find(paths, a).orElseThrow());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<ImageGcReport> gc;
            try (LockHolder fetch = LockHolder.holdShared(root.resolve("data/cas/locks/gc.lck"))) {
                gc = pool.submit(() -> store.gc(paths, Duration.ZERO, true, () -> Set.copyOf(recorded)));
                Thread.sleep(200);
                assertFalse("gc waits for the fetch", gc.isDone());
                recorded.add(a); // the pod's manifest now names the image
                pin.close();
            }
            assertEquals(List.of(), gc.get(30, TimeUnit.SECONDS).images());
            assertTrue(store.blob(paths, a).isPresent());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void holdChoosesWithGcHeldOff() throws Exception {
        String a = writeBlob("a".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(a, "example.com/a", "ra"));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ImagePin pin = store.pin(paths)) {
            CountDownLatch chosen = new CountDownLatch(1);
            Future<ImageGcReport> gc = pool.submit(() -> {
                chosen.await();
                return store.gc(paths, Duration.ZERO, true, () -> Set.of());
            });
            pin.hold(() -> {
                StoredImage image = store.find(paths, a).orElseThrow();
                chosen.countDown();
                try {
                    Thread.sleep(300); // a gc now would find the image neither held nor in use
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                assertFalse("gc ran while the image was being chosen", gc.isDone());
                return image;
            });
            assertEquals(List.of(), gc.get(30, TimeUnit.SECONDS).images());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void aPinLeftByAKilledProcessHoldsNothingAndGcRemovesIt() throws Exception {
        String a = writeBlob("a".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(a, "example.com/a", "ra"));
        Path pins = createDirectoriesUnchecked(root.resolve("data/cas/pins"));
        Files.writeString(pins.resolve("pin-killed"), a + "\n");

        assertEquals(List.of(a), store.gc(paths, Duration.ZERO, true, () -> Set.of()).images());
        assertEquals(List.of(), files(pins));
    }

    @Test
    public void aPinHeldByAnotherProcessKeepsItsImages() throws Exception {
        String a = writeBlob("a".getBytes(StandardCharsets.UTF_8));
        store.record(paths, image(a, "example.com/a", "ra"));
        Path pin = createDirectoriesUnchecked(root.resolve("data/cas/pins")).resolve("pin-other");
        Files.writeString(pin, a + "\n");
        try (LockHolder other = LockHolder.hold(pin)) {
            assertEquals(List.of(), store.gc(paths, Duration.ZERO, true, () -> Set.of()).images());
        }
        assertEquals(List.of(a), store.gc(paths, Duration.ZERO, true, () -> Set.of()).images());
    }
}
