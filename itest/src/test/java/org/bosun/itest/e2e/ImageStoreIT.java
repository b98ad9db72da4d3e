package org.bosun.itest.e2e;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The image store through the commands: fetch, image list/rm/gc/cat-manifest/export/extract/
 * render/verify, and pods whose rootfs is an overlay of the stored tree or a copy of it.
 */
public class ImageStoreIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    public ImageStoreIT(Mode mode) {
        super(FIXTURE, mode);
    }

    private String fetch() throws Exception {
        BosunResult fetch = bosun("fetch", INSECURE, "--full", aci());
        assertExit(0, fetch);
        String id = fetch.stdout.trim();
        assertTrue("an appc image id:\n" + fetch.describe(), id.matches("sha512-[0-9a-f]{128}"));
        assertEquals("fetch is quiet off a terminal:\n" + fetch.describe(), "", fetch.stderr);
        return id;
    }

    private Path blob(String id) {
        return data.resolve("cas/blobs/sha512").resolve(id.substring("sha512-".length()));
    }

    private Path tree(String id) {
        return data.resolve("tree").resolve(id);
    }

    private static List<Path> list(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static boolean mountedUnder(Path dir) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(dir.toString()));
    }

    @Test
    public void fetchListsVerifiesAndRemovesAnImage() throws Exception {
        String id = fetch();
        BosunResult again = bosun("fetch", INSECURE, aci());
        assertExit(0, again);
        assertEquals("short id", id.substring(0, 39) + "\n", again.stdout);

        BosunResult json = bosun("image", "list", "--format=json");
        assertExit(0, json);
        JsonNode images = JSON.readTree(json.stdout);
        assertEquals(json.describe(), 1, images.size());
        assertEquals(id, images.get(0).path("id").asText());
        assertEquals("example.com/busybox", images.get(0).path("name").asText());
        assertEquals(Files.size(blob(id)), images.get(0).path("size").asLong());

        BosunResult table = bosun("image", "list", "--no-legend", "--fields=id,name");
        assertExit(0, table);
        assertTrue(table.describe(), table.stdout.startsWith(id.substring(0, 39) + "  example.com/busybox"));
        assertEquals(table.describe(), 1, table.stdout.lines().count());

        BosunResult manifest = bosun("image", "cat-manifest", "example.com/busybox");
        assertExit(0, manifest);
        assertEquals("the ACI's own manifest", "ImageManifest", JSON.readTree(manifest.stdout).path("acKind").asText());
        assertEquals("/bin/sh", JSON.readTree(manifest.stdout).path("app").path("exec").get(0).asText());
        BosunResult common = bosun("image", "cat-manifest", "--common", "example.com/busybox");
        assertExit(0, common);
        assertEquals("/bin/sh", JSON.readTree(common.stdout).path("exec").get(0).asText());

        assertExit(0, bosun("image", "verify"));
        assertExit(0, bosun("image", "rm", id.substring(0, 20)));
        assertFalse("the blob went with the image", Files.exists(blob(id)));
        BosunResult gone = bosun("image", "rm", id);
        assertExit(2, gone);
    }

    @Test
    public void parallelFetchesStoreTheImageOnce() throws Exception {
        List<BosunResult> results = parallel(List.<Callable<BosunResult>>of(
                () -> bosun("fetch", INSECURE, aci()), () -> bosun("fetch", INSECURE, aci())));
        for (BosunResult r : results) {
            assertExit(0, r);
        }
        assertEquals(results.get(0).stdout, results.get(1).stdout);
        assertEquals(1, list(data.resolve("cas/blobs/sha512")).size());
        assertEquals(List.of(), list(data.resolve("cas/tmp")));
    }

    @Test
    @AgentModeOnly("the store's verify is the same code in both modes")
    public void verifyReportsACorruptedBlob() throws Exception {
        String id = fetch();
        Path blob = blob(id);
        blob.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 1;
        Files.write(blob, bytes);
        BosunResult verify = bosun("image", "verify", id);
        assertExit(5, verify);
        assertTrue(verify.describe(), verify.stdout.contains("corrupt"));
        assertTrue(verify.describe(), verify.stdout.contains(id));
    }

    @Test
    @AgentModeOnly("the store's gc is the same code in both modes")
    public void gcRemovesLeftoversUnusedImagesTreesAndBlobs() throws Exception {
        String id = fetch();
        assertExit(0, bosun("run", INSECURE, FLY, aci(), "--exec", "/bin/true"));
        assertTrue(Files.isDirectory(tree(id)));
        // What a fetch killed half-way leaves behind.
        Files.writeString(data.resolve("cas/tmp/blob-killed.part"), "half a download");
        Files.createDirectories(data.resolve("tree/tmp-killed/bin"));

        BosunResult kept = bosun("image", "gc");
        assertExit(0, kept);
        assertTrue(kept.describe(), kept.stdout.contains("removed 0 images, 0 trees, 0 blobs, 2 leftovers"));
        assertTrue("a recently used image stays", Files.exists(blob(id)));

        BosunResult gc = bosun("image", "gc", "--grace-period=0s");
        assertExit(0, gc);
        assertTrue(gc.describe(), gc.stdout.contains("removed 1 images, 1 trees, 1 blobs, 0 leftovers"));
        assertEquals(List.of(), list(data.resolve("tree")));
        assertEquals(List.of(), list(data.resolve("cas/tmp")));
    }

    @Test
    @AgentModeOnly("the store's removal rule is the same code in both modes")
    public void anImageOfAPreparedPodIsNotRemoved() throws Exception {
        BosunResult prepare = bosun("prepare", INSECURE, FLY, aci());
        assertExit(0, prepare);
        String uuid = uuidIn(prepare);
        JsonNode image = JSON.readTree(bosun("image", "list", "--format=json").stdout).get(0);
        BosunResult rm = bosun("image", "rm", image.path("id").asText());
        assertExit(5, rm);
        assertTrue(rm.describe(), rm.stderr.contains("bosun rm"));
        assertExit(0, bosun("image", "gc", "--grace-period=0s"));
        assertEquals(1, JSON.readTree(bosun("image", "list", "--format=json").stdout).size());
        assertExit(0, bosun("rm", uuid));
        assertExit(0, bosun("image", "rm", image.path("id").asText()));
    }

    @Test
    @AgentModeOnly("export, extract and render are the store's code in both modes")
    public void exportExtractAndRenderWriteTheImage() throws Exception {
        String id = fetch();
        assertExit(0, bosun("image", "export", id, "out.aci"));
        assertArrayEquals(Files.readAllBytes(blob(id)), Files.readAllBytes(work.resolve("out.aci")));
        assertExit(3, bosun("image", "export", id, "out.aci"));

        assertExit(0, bosun("image", "extract", id, "extracted"));
        assertTrue(Files.isRegularFile(work.resolve("extracted/manifest")));
        assertTrue(Files.isRegularFile(work.resolve("extracted/rootfs/bin/busybox")));

        assertExit(0, bosun("image", "render", "--rootfs-only", id, "rendered"));
        assertTrue(Files.isRegularFile(work.resolve("rendered/bin/busybox")));
        assertFalse(Files.exists(work.resolve("rendered/manifest")));
        assertEquals("nothing half-written beside the targets", 0, list(work).stream()
                .filter(p -> p.getFileName().toString().startsWith(".")).count());
    }

    @Test
    @AgentModeOnly("the overlay is set up by the same prepare in both modes")
    public void aPodWritesIntoItsOverlayNotIntoTheStoredTree() throws Exception {
        BosunResult run = bosun("run", INSECURE, FLY, aci(), "--exec", "/bin/sh", "--", "-c",
                "echo changed > /etc/written && rm /bin/ls && cat /etc/written");
        assertExit(0, run);
        assertEquals(run.describe(), "changed\n", run.stdout);
        JsonNode image = JSON.readTree(bosun("image", "list", "--format=json").stdout).get(0);
        Path tree = tree(image.path("id").asText());
        assertFalse("the tree is untouched", Files.exists(tree.resolve("etc/written")));
        assertTrue("the tree is untouched", Files.exists(tree.resolve("bin/ls"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        Path app = list(data.resolve("pods/run")).get(0).resolve("apps/busybox");
        assertEquals("changed\n", Files.readString(app.resolve("upper/etc/written")));
        assertEquals("the mount point stays empty on the host", List.of(), list(app.resolve("rootfs")));
        assertFalse("no mount leaks out of the pod", mountedUnder(data));
    }

    @Test
    @AgentModeOnly("the copy is made by the same prepare in both modes")
    public void noOverlayCopiesTheTreeIntoThePod() throws Exception {
        BosunResult run = bosun("run", INSECURE, FLY, "--no-overlay", aci(), "--exec", "/bin/sh", "--", "-c",
                "echo copied > /etc/written");
        assertExit(0, run);
        Path app = list(data.resolve("pods/run")).get(0).resolve("apps/busybox");
        assertEquals("copied\n", Files.readString(app.resolve("rootfs/etc/written")));
        assertTrue(Files.isRegularFile(app.resolve("rootfs/bin/busybox")));
        assertFalse(Files.exists(app.resolve("layers")));
        assertFalse(Files.exists(app.resolve("upper")));
    }

    @Test
    @AgentModeOnly("the overlay is set up by the same prepare in both modes")
    public void nspawnMountsTheOverlayInsideThePod() throws Exception {
        BosunResult run = bosun("run", INSECURE, "--stage1-name=nspawn", "--net=host", aci(), "--exec", "/bin/sh", "--",
                "-c", "echo nspawn > /etc/written && cat /etc/written && test -x /bin/busybox");
        assertExit(0, run);
        assertTrue(run.describe(), run.stdout.contains("nspawn\n"));
        Path app = list(data.resolve("pods/run")).get(0).resolve("apps/busybox");
        assertEquals("nspawn\n", Files.readString(app.resolve("upper/etc/written")));
        assertFalse("no mount leaks out of the pod", mountedUnder(data));
    }
    @Test
    public void runTakesAStoredImageByNameVersionIdOrIdPrefix() throws Exception {
        String id = fetch();
        for (String image : List.of("example.com/busybox:1.0", "example.com/busybox", id, id.substring(0, 20))) {
            BosunResult run = bosun("run", "--pull-policy=never", FLY, image, "--exec", "/bin/sh", "--", "-c", "echo ran");
            assertExit(0, run);
            assertEquals(image + ":\n" + run.describe(), "ran\n", run.stdout);
        }
        BosunResult other = bosun("run", "--pull-policy=never", FLY, "example.com/busybox:2.0", "--exec", "/bin/true");
        assertExit(125, other); // run's code when bosun fails before the app starts
        assertTrue(other.describe(), other.stderr.contains("example.com/busybox:2.0") && other.stderr.contains("not in the store"));
    }

    @Test
    public void anImageIdThatIsNotStoredIsNotFoundInOneLine() throws Exception {
        String missing = "sha512-" + "0123456789abcdef".repeat(8);
        BosunResult run = bosun("run", FLY, missing, "--exec", "/bin/true");
        assertExit(125, run);
        assertTrue(run.describe(), run.stderr.contains(missing) && run.stderr.contains("not in the store"));
        assertFalse(run.describe(), run.stderr.contains("internal error"));
        assertEquals(run.describe(), 1, run.stderr.lines().count());
    }

    @Test
    @AgentModeOnly("the store's deduplication is the same code in both modes")
    public void runningAnUnchangedFileAgainWritesNothingToTheStore() throws Exception {
        String id = fetch();
        Path index = data.resolve("cas/index.mv.db");
        java.nio.file.attribute.FileTime indexWritten = Files.getLastModifiedTime(index);
        java.nio.file.attribute.FileTime blobWritten = Files.getLastModifiedTime(blob(id));

        assertExit(0, bosun("run", INSECURE, FLY, aci(), "--exec", "/bin/true"));
        assertExit(0, bosun("run", INSECURE, FLY, aci(), "--exec", "/bin/true"));

        assertEquals("the index was not rewritten", indexWritten, Files.getLastModifiedTime(index));
        assertEquals("the blob was not rewritten", blobWritten, Files.getLastModifiedTime(blob(id)));
        JsonNode image = JSON.readTree(bosun("image", "list", "--format=json").stdout).get(0);
        assertFalse("the run still counts as a use: " + image, image.path("lastUsed").isNull()
                || image.path("lastUsed").isMissingNode());
    }

    /**
     * issue 12 item 6: {@code image gc --grace-period=0s} in a loop never takes the image of a pod
     * being prepared or started. Ten calls, two at a time, alternate {@code run} and {@code prepare}
     * (each prepared pod is then run): between two calls the image is unused, so gc removes it and the
     * next call fetches it again from the file, while gc goes on collecting.
     */
    @Test
    public void gcInALoopNeverTakesTheImageOfAPodBeingPreparedOrStarted() throws Exception {
        AtomicBoolean calling = new AtomicBoolean(true);
        ExecutorService gcLoop = Executors.newSingleThreadExecutor();
        Future<List<BosunResult>> collections = gcLoop.submit(() -> {
            List<BosunResult> results = new ArrayList<>();
            while (calling.get()) {
                results.add(bosun("image", "gc", "--grace-period=0s"));
            }
            return results;
        });
        List<BosunResult> calls;
        try {
            List<Callable<BosunResult>> pods = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                if (i % 2 == 0) {
                    pods.add(() -> bosun("run", INSECURE, FLY, aci(), "--exec", "/bin/sh", "--", "-c", "echo ran"));
                } else {
                    pods.add(() -> {
                        BosunResult prepared = bosun("prepare", INSECURE, FLY, aci(), "--exec", "/bin/sh", "--", "-c",
                                "echo ran");
                        if (prepared.exitCode != 0) {
                            return prepared;
                        }
                        // The prepared pod holds its image: gc goes on meanwhile, and the pod still runs.
                        Thread.sleep(1500);
                        return bosun("run-prepared", prepared.stdout.trim());
                    });
                }
            }
            calls = parallel(pods, 2);
        } finally {
            calling.set(false);
            gcLoop.shutdown();
            gcLoop.awaitTermination(CALL_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
        }
        List<String> failed = new ArrayList<>();
        for (BosunResult r : calls) {
            if (r.exitCode != 0 || !r.stdout.equals("ran\n")) {
                failed.add(r.describe());
            }
        }
        List<BosunResult> gcs = collections.get();
        for (BosunResult gc : gcs) {
            if (gc.exitCode != 0) {
                failed.add(gc.describe());
            }
        }
        assertTrue("gc ran while the pods started: " + gcs.size() + " times", gcs.size() >= 2);
        assertEquals(failed.size() + " of " + calls.size() + " pods or " + gcs.size() + " gcs failed:\n"
                + String.join("\n", failed), List.of(), failed);
    }
}
