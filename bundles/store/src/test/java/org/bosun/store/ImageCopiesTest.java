package org.bosun.store;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.host.files.FileTree;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Images copied out of the store: the original manifest, an archive to a file, a rootfs to a directory. */
public class ImageCopiesTest {
    private Path root;
    private Path out;
    private RuntimePaths paths;
    private final ImageStoreImpl store = new ImageStoreImpl();

    @Before
    public void createDataDir() throws IOException {
        root = Files.createTempDirectory("bosun-store-copies-");
        out = Files.createDirectory(root.resolve("out"));
        paths = new RuntimePaths(root.resolve("data"), root.resolve("etc"), root.resolve("lib"));
    }

    @After
    public void removeDataDir() throws IOException {
        FileTree.delete(root);
    }

    private String writeBlob(String text) throws IOException {
        try (BlobWriter w = store.newBlob(paths)) {
            w.stream().write(text.getBytes(StandardCharsets.UTF_8));
            return w.commit(null, "sha256");
        }
    }

    private StoredImage record(String id, List<String> blobs, Map<String, String> metadata) {
        ImageManifest manifest = new ImageManifest("example.com/app", Map.of("version", "1"), List.of("/bin/sh"), "0",
                "0", "/", Map.of(), Map.of());
        return store.record(paths, new StoredImage(id, "example.com/app", "test", List.of("example.com/app"), manifest,
                blobs, List.of(), metadata, null, null, 0));
    }

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A renderer as a format's: a file, a symlink, a mode. */
    private static void render(StoredImage image, Path dir) {
        try {
            Files.createDirectories(dir.resolve("bin"));
            Files.writeString(dir.resolve("bin/app"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(dir.resolve("bin/app"), PosixFilePermissions.fromString("rwxr-x---"));
            Files.createSymbolicLink(dir.resolve("sbin"), Path.of("bin"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void theOriginalManifestIsTheKeptOneOrTheBlobOfTheImagesDigest() throws Exception {
        String aci = writeBlob("an aci");
        StoredImage appc = record(aci, List.of(aci), Map.of("manifest", "{\"acKind\":\"ImageManifest\"}"));
        assertEquals(Optional.of("{\"acKind\":\"ImageManifest\"}"), store.originalManifest(paths, appc));

        String manifest = writeBlob("{\"schemaVersion\":2}");
        String layer = writeBlob("a layer");
        StoredImage oci = record(manifest, List.of(manifest, layer), Map.of());
        assertEquals(Optional.of("{\"schemaVersion\":2}"), store.originalManifest(paths, oci));

        String other = writeBlob("no manifest kept");
        StoredImage none = record("sha512-" + "0".repeat(128), List.of(other), Map.of());
        assertEquals(Optional.empty(), store.originalManifest(paths, none));
    }

    @Test
    public void aManifestBlobLargerThanAManifestIsNotReadBack() throws Exception {
        String big = writeBlob("x".repeat((int) ImageCopies.MAX_MANIFEST_BYTES + 1));
        assertEquals(Optional.empty(), store.originalManifest(paths, record(big, List.of(big), Map.of())));
    }

    @Test
    public void exportWritesTheOneBlobReadableByAllAndRefusesToOverwriteUnlessAsked() throws Exception {
        String aci = writeBlob("the aci");
        StoredImage image = record(aci, List.of(aci), Map.of());
        Path file = out.resolve("app.aci");
        store.export(paths, image, file, false);
        assertEquals("the aci", Files.readString(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Files.writeString(file, "old");
        BosunException e = assertThrows(BosunException.class, () -> store.export(paths, image, file, false));
        assertEquals(ErrorKind.ALREADY_EXISTS, e.kind());
        assertEquals(file + " exists; choose another file or pass --overwrite", e.getMessage());
        assertEquals("old", Files.readString(file));
        store.export(paths, image, file, true);
        assertEquals("the aci", Files.readString(file));
        assertEquals("nothing but the file", List.of("app.aci"), names(out));
    }

    @Test
    public void anImageOfSeveralBlobsOrWithoutItsBlobIsNotExported() throws Exception {
        String a = writeBlob("layer a");
        String b = writeBlob("layer b");
        StoredImage layered = record(a, List.of(a, b), Map.of());
        BosunException several = assertThrows(BosunException.class,
                () -> store.export(paths, layered, out.resolve("x"), false));
        assertEquals(ErrorKind.INVALID_ARGUMENT, several.kind());
        assertTrue(several.getMessage(), several.getMessage().contains("bosun image extract or render"));

        StoredImage lost = record(a, List.of(a), Map.of());
        Files.delete(store.blob(paths, a).orElseThrow());
        BosunException missing = assertThrows(BosunException.class, () -> store.export(paths, lost, out.resolve("x"), false));
        assertEquals(ErrorKind.NOT_FOUND, missing.kind());
        assertEquals(List.of(), names(out));
    }

    @Test
    public void extractRendersIntoRootfsBesideTheManifestInTheCommonForm() throws Exception {
        String aci = writeBlob("aci");
        StoredImage image = record(aci, List.of(aci), Map.of());
        Path dir = out.resolve("extracted");
        store.writeDirectory(paths, image, dir, new ImageStore.DirectoryOptions(false, false, false),
                ImageCopiesTest::render);
        assertEquals(List.of("manifest", "rootfs"), names(dir));
        assertEquals("#!/bin/sh\n", Files.readString(dir.resolve("rootfs/bin/app")));
        assertEquals(Path.of("bin"), Files.readSymbolicLink(dir.resolve("rootfs/sbin")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        String manifest = Files.readString(dir.resolve("manifest"));
        assertTrue(manifest, manifest.startsWith("{\n  \"name\" : \"example.com/app\",\n"));
        assertTrue(manifest.endsWith("}\n"));
        assertFalse("no tree was rendered into the store", Files.exists(root.resolve("data/tree").resolve(aci)));
        assertEquals("no temporary directory left", List.of("extracted"), names(out));
    }

    @Test
    public void renderCopiesTheStoresTreeKeepingModesAndLinks() throws Exception {
        String aci = writeBlob("aci");
        StoredImage image = record(aci, List.of(aci), Map.of());
        Path dir = out.resolve("rendered");
        store.writeDirectory(paths, image, dir, new ImageStore.DirectoryOptions(true, true, false),
                ImageCopiesTest::render);
        assertEquals("the rootfs only", List.of("bin", "sbin"), names(dir));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("bin/app"))));
        assertEquals(Path.of("bin"), Files.readSymbolicLink(dir.resolve("sbin")));
        Path tree = store.tree(paths, image, (i, d) -> {
            throw new AssertionError("rendered once, when render asked for the tree");
        });
        assertArrayEquals(Files.readAllBytes(tree.resolve("bin/app")), Files.readAllBytes(dir.resolve("bin/app")));
    }

    @Test
    public void anExistingDirectoryIsReplacedOnlyWithOverwrite() throws Exception {
        String aci = writeBlob("aci");
        StoredImage image = record(aci, List.of(aci), Map.of());
        Path dir = Files.createDirectory(out.resolve("there"));
        Files.writeString(dir.resolve("old"), "old");
        BosunException e = assertThrows(BosunException.class, () -> store.writeDirectory(paths, image, dir,
                new ImageStore.DirectoryOptions(false, true, false), ImageCopiesTest::render));
        assertEquals(ErrorKind.ALREADY_EXISTS, e.kind());
        assertEquals(dir + " exists; choose a new directory or pass --overwrite", e.getMessage());
        assertEquals(List.of("old"), names(dir));

        store.writeDirectory(paths, image, dir, new ImageStore.DirectoryOptions(false, true, true),
                ImageCopiesTest::render);
        assertEquals(List.of("bin", "sbin"), names(dir));
    }

    @Test
    public void aFailedRenderLeavesNothingBehindAndKeepsTheOldDirectory() throws Exception {
        String aci = writeBlob("aci");
        StoredImage image = record(aci, List.of(aci), Map.of());
        Path dir = Files.createDirectory(out.resolve("kept"));
        BosunException e = assertThrows(BosunException.class, () -> store.writeDirectory(paths, image, dir,
                new ImageStore.DirectoryOptions(false, false, true), (i, d) -> {
                    render(i, d);
                    throw BosunException.invalid("image " + i.id() + " has a bad layer");
                }));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals(List.of("kept"), names(out));
        assertEquals(List.of(), names(dir));
    }
}
