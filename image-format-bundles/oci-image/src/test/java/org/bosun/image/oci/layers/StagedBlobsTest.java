package org.bosun.image.oci.layers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.Progress;
import org.bosun.host.archive.HostileContent;
import org.bosun.host.archive.Tar;
import org.bosun.host.files.Scratch;
import org.bosun.image.oci.model.Digests;
import org.bosun.store.ImageStoreImpl;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * An image's blobs as they are fetched: every layer checked in the same pass that stores it, and
 * nothing visible in the store unless every blob passed (issue 12 item 9).
 */
public class StagedBlobsTest {
    private static final String IMAGE = "image docker://127.0.0.1:5000/test/evil:1";

    @Rule
    public final Scratch scratch = new Scratch();

    private final ImageStoreImpl store = new ImageStoreImpl();
    private RuntimePaths paths;

    @Before
    public void layOut() {
        paths = new RuntimePaths(scratch.root().resolve("data"), scratch.root().resolve("etc"), scratch.root().resolve("lib"));
    }

    /** The store's blobs, committed or being written. */
    private List<String> stored() throws IOException {
        List<String> found = new ArrayList<>();
        for (String dir : List.of("cas/blobs/sha256", "cas/blobs/sha512", "cas/tmp")) {
            Path d = paths.dataDir().resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> entries = Files.list(d)) {
                    entries.forEach(e -> found.add(dir + "/" + e.getFileName()));
                }
            }
        }
        return found;
    }

    private static void addLayer(StagedBlobs blobs, byte[] layer) throws IOException {
        String digest = Digests.sha256(layer);
        blobs.addLayer(digest, new ByteArrayInputStream(layer), Progress.NONE.task(digest, layer.length), "layer " + digest);
    }

    @Test
    public void everyHostileLayerIsRefusedAsItIsStagedAndNothingIsStored() throws IOException {
        for (HostileContent hostile : HostileContent.forLayers()) {
            byte[] good = new Tar().dir("etc", 0755).file("etc/motd", "first layer").gzipped();
            byte[] bad = hostile.layer().gzipped();
            try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
                blobs.add(Digests.sha256("{}".getBytes(StandardCharsets.UTF_8)), "{}".getBytes(StandardCharsets.UTF_8),
                        "the config");
                addLayer(blobs, good);
                BosunException e = assertThrows(BosunException.class, () -> addLayer(blobs, bad));
                assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
                assertTrue(hostile.what + ": " + e.getMessage(), e.getMessage().startsWith(IMAGE + " is refused: layer "
                        + Digests.sha256(bad) + " entry " + hostile.entry("") + " "));
                assertFalse(e.getMessage().contains("\n"));
            }
            assertEquals(hostile.what + ": nothing of the image is in the store", List.of(), stored());
        }
    }

    @Test
    public void blobsBecomeVisibleOnlyWhenAllAreCommitted() throws IOException {
        byte[] first = new Tar().dir("etc", 0755).file("etc/motd", "first").gzipped();
        byte[] second = new Tar().file("etc/.wh.motd", "").file("data", "plain tar").bytes();
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            addLayer(blobs, first);
            addLayer(blobs, second);
            assertTrue(blobs.has(Digests.sha256(first)));
            assertTrue("staged is not stored", store.blob(paths, Digests.sha256(first)).isEmpty());
            blobs.commit();
        }
        assertArrayEquals(first, Files.readAllBytes(store.blob(paths, Digests.sha256(first)).orElseThrow()));
        assertArrayEquals(second, Files.readAllBytes(store.blob(paths, Digests.sha256(second)).orElseThrow()));
        assertEquals("no temporary file is left", 2, stored().size());
    }

    private static void assertArrayEquals(byte[] expected, byte[] actual) {
        org.junit.Assert.assertArrayEquals(expected, actual);
    }

    @Test
    public void aLayerThatDoesNotMatchItsDigestIsRefusedAndTheOthersAreNotCommitted() throws IOException {
        byte[] good = new Tar().file("a", "a").gzipped();
        byte[] layer = new Tar().file("b", "b").gzipped();
        String claimed = Digests.sha256("another layer".getBytes(StandardCharsets.UTF_8));
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            addLayer(blobs, good);
            BosunException e = assertThrows(BosunException.class, () -> blobs.addLayer(claimed,
                    new ByteArrayInputStream(layer), Progress.NONE.task(claimed, layer.length), "layer " + claimed));
            assertTrue(e.getMessage(), e.getMessage().startsWith("layer " + claimed + ": blob content does not match"));
        }
        assertEquals(List.of(), stored());
    }

    @Test
    public void aSourceThatFailsIsItsOwnErrorNotARefusal() throws IOException {
        byte[] layer = new Tar().file("big", "x".repeat(200_000)).gzipped();
        InputStream broken = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(layer, 0, layer.length / 2);

            @Override
            public int read() throws IOException {
                return read(new byte[1], 0, 1);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) {
                    throw new IOException("connection reset");
                }
                return n;
            }
        };
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            IOException e = assertThrows(IOException.class, () -> blobs.addLayer(Digests.sha256(layer), broken,
                    Progress.NONE.task("x", layer.length), "layer"));
            assertEquals("connection reset", e.getMessage());
        }
        assertEquals(List.of(), stored());
    }

    @Test
    public void aLayerThatIsNoTarIsRefusedAsUnreadable() throws IOException {
        byte[] junk = "not a tar at all, not even close".repeat(40).getBytes(StandardCharsets.UTF_8);
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            BosunException e = assertThrows(BosunException.class, () -> addLayer(blobs, junk));
            assertTrue(e.getMessage(), e.getMessage().contains("which is not a readable tar"));
        }
        assertEquals(List.of(), stored());
    }

    private static StagedBlobs.Layer layer(byte[] bytes, StagedBlobs.LayerSource source) {
        String digest = Digests.sha256(bytes);
        return new StagedBlobs.Layer(digest, bytes.length, "layer " + digest + " of " + IMAGE, source);
    }

    private static final java.util.function.BiFunction<StagedBlobs.Layer, IOException, BosunException> UNAVAILABLE =
            (layer, e) -> BosunException.unavailable("cannot fetch " + layer.what() + " (" + e.getMessage() + ")");

    /** A source that sends nothing until it is closed or its reader is interrupted, as a stalled download. */
    private static final class Stalled extends InputStream {
        final java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        @Override
        public int read() throws IOException {
            return read(new byte[1], 0, 1);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reading.countDown();
            try {
                closed.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            throw new IOException("stream closed");
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    public void layersStagedSeveralAtATimeAreAllStoredOnCommitEachOnce() throws IOException {
        List<byte[]> bytes = new ArrayList<>();
        List<StagedBlobs.Layer> layers = new ArrayList<>();
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 6; i++) {
            byte[] b = new Tar().dir("d" + i, 0755).file("d" + i + "/f", "x".repeat(50_000 + i)).gzipped();
            bytes.add(b);
            layers.add(layer(b, () -> {
                threads.add(Thread.currentThread().getName());
                opened.incrementAndGet();
                return new ByteArrayInputStream(b);
            }));
        }
        layers.add(layers.get(2)); // a layer listed twice is fetched once
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            blobs.addLayers(layers, Progress.NONE, 3, UNAVAILABLE);
            assertTrue("staged is not stored", store.blob(paths, Digests.sha256(bytes.get(0))).isEmpty());
            blobs.commit();
        }
        for (byte[] b : bytes) {
            assertArrayEquals(b, Files.readAllBytes(store.blob(paths, Digests.sha256(b)).orElseThrow()));
        }
        assertEquals("each layer opened once", 6, opened.get());
        assertTrue("staged on threads of their own: " + threads, threads.stream().allMatch(t -> t.startsWith("bosun-layer-")));
        assertEquals("no temporary file is left", 6, stored().size());

        // Fetched again: every layer is in the store, none is opened.
        opened.set(0);
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            blobs.addLayers(layers, Progress.NONE, 3, UNAVAILABLE);
            blobs.commit();
        }
        assertEquals(0, opened.get());
    }

    @Test
    public void aRefusedLayerStopsTheLayersInFlightAndItsRefusalIsWhatIsThrown() throws Exception {
        byte[] stalledBytes = new Tar().file("slow", "slow").gzipped();
        Stalled stalled = new Stalled();
        byte[] bad = HostileContent.forLayers().get(0).layer().gzipped();
        List<StagedBlobs.Layer> layers = List.of(layer(stalledBytes, () -> stalled), layer(bad, () -> {
            try {
                stalled.reading.await(); // refused only once the other is in flight
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            return new ByteArrayInputStream(bad);
        }));
        long start = System.nanoTime();
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            BosunException e = assertThrows(BosunException.class, () -> blobs.addLayers(layers, Progress.NONE, 3,
                    UNAVAILABLE));
            assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().startsWith(IMAGE + " is refused: layer " + Digests.sha256(bad)));
        }
        assertEquals("the stalled download was stopped", 0, stalled.closed.getCount());
        assertTrue("stopped at once", System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(30));
        assertEquals(List.of(), stored());
    }

    @Test
    public void aBrokenDownloadAmongSeveralIsTheSourceFailureGiven() throws IOException {
        byte[] good = new Tar().file("a", "a".repeat(100_000)).gzipped();
        byte[] broken = new Tar().file("b", "b").gzipped();
        List<StagedBlobs.Layer> layers = List.of(layer(good, () -> new ByteArrayInputStream(good)), layer(broken, () -> {
            throw new IOException("connection reset");
        }));
        try (StagedBlobs blobs = new StagedBlobs(store, paths, IMAGE)) {
            BosunException e = assertThrows(BosunException.class, () -> blobs.addLayers(layers, Progress.NONE, 3,
                    UNAVAILABLE));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertEquals("cannot fetch layer " + Digests.sha256(broken) + " of " + IMAGE + " (connection reset)",
                    e.getMessage());
        }
        assertEquals(List.of(), stored());
    }
}
