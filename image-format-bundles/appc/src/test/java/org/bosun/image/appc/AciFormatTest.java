package org.bosun.image.appc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.host.files.Scratch;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.junit.Rule;
import org.junit.Test;

/** Opening an ACI: signature policy, the image id and the checks of its manifest. */
public class AciFormatTest {
    private static final FetchOptions INSECURE_IMAGE =
            new FetchOptions(RuntimePaths.defaults(), EnumSet.of(InsecureOption.IMAGE), "new");
    private static final FetchOptions SECURE = new FetchOptions(RuntimePaths.defaults(), Set.of(), "new");

    @Rule
    public final Scratch scratch = new Scratch();

    private Path image() {
        return scratch.root().resolve("images/x.aci");
    }

    private StoreFixture.Fetched open(Path file, FetchOptions options) {
        return new StoreFixture(scratch.root().resolve("data")).fetch(new AciFormat(), file, options);
    }

    private BosunException refusal(Aci aci, ErrorKind kind) throws Exception {
        Path file = aci.writeTo(image());
        BosunException e = assertThrows(BosunException.class, () -> open(file, INSECURE_IMAGE));
        assertEquals(e.getMessage(), kind, e.kind());
        assertTrue("names the image file: " + e.getMessage(), e.getMessage().contains(file.toString()));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        return e;
    }

    private static String withManifestField(String field) {
        String good = Aci.manifestJson("example.com/test");
        return good.substring(0, good.length() - 1) + "," + field + "}";
    }

    private static String hostArch() {
        String arch = System.getProperty("os.arch");
        return arch.equals("x86_64") ? "amd64" : arch;
    }

    @Test
    public void opensAnAciAndReadsItsManifest() throws Exception {
        String manifest = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/app-1\","
                + "\"labels\":[{\"name\":\"version\",\"value\":\"1.2\"},{\"name\":\"os\",\"value\":\"linux\"},"
                + "{\"name\":\"arch\",\"value\":\"" + hostArch() + "\"}],"
                + "\"app\":{\"exec\":[\"/bin/app\",\"--serve\"],\"user\":\"daemon\",\"group\":\"123\","
                + "\"workingDirectory\":\"/srv\","
                + "\"environment\":[{\"name\":\"B\",\"value\":\"2\"},{\"name\":\"A\",\"value\":\"1\"}]},"
                + "\"annotations\":[{\"name\":\"authors\",\"value\":\"someone\"}]}";
        Path file = new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0).writeTo(image());

        ImageManifest m = open(file, INSECURE_IMAGE).manifest();

        assertEquals("example.com/app-1", m.name());
        assertEquals(Map.of("version", "1.2", "os", "linux", "arch", hostArch()), m.labels());
        assertEquals(List.of("/bin/app", "--serve"), m.exec());
        assertEquals("daemon", m.user());
        assertEquals("123", m.group());
        assertEquals("/srv", m.workingDirectory());
        assertEquals(List.of("B", "A"), List.copyOf(m.environment().keySet()));
        assertEquals(Map.of("authors", "someone"), m.annotations());
    }

    @Test
    public void acceptsAnImageWithoutAnApp() throws Exception {
        Path file = new Aci().manifest("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/data\"}")
                .dir("rootfs", 0755, 0, 0).writeTo(image());
        ImageManifest m = open(file, INSECURE_IMAGE).manifest();
        assertTrue(m.exec().isEmpty());
        assertNull(m.user());
    }

    @Test
    public void findsAManifestStoredAsDotSlashManifest() throws Exception {
        Path file = new Aci().file("./manifest", Aci.manifestJson("example.com/dotted")).dir("./rootfs", 0755, 0, 0)
                .writeTo(image());
        assertEquals("example.com/dotted", open(file, INSECURE_IMAGE).manifest().name());
    }

    @Test
    public void theIdIsTheSha512OfTheUncompressedTarWhateverTheCompression() throws Exception {
        Aci aci = Aci.minimal().file("rootfs/hello", "hello\n");
        String expected = Aci.sha512Id(aci.tar());
        for (Aci.Compression c : Aci.Compression.values()) {
            Path file = aci.writeTo(scratch.root().resolve("images/x-" + c + ".aci"), c);
            assertEquals("id of the " + c + " variant", expected, open(file, INSECURE_IMAGE).id());
        }
    }

    @Test
    public void parallelFetchesOfTheSameImageStoreItOnce() throws Exception {
        Path file = Aci.minimal().file("rootfs/hello", "hello\n").writeTo(image(), Aci.Compression.GZIP);
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id());
            var b = pool.submit(() -> fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id());
            assertEquals(a.get(), b.get());
        } finally {
            pool.shutdownNow();
        }
        try (var blobs = Files.list(fixture.dataDir().resolve("cas/blobs/sha512"))) {
            assertEquals(1, blobs.count());
        }
        assertEquals(1, fixture.store().list(fixture.options(INSECURE_IMAGE).paths()).size());
    }

    /** The fixture's store, counting the calls that write to it. */
    private static org.bosun.api.image.ImageStore countingWrites(StoreFixture fixture, List<String> writes) {
        return (org.bosun.api.image.ImageStore) java.lang.reflect.Proxy.newProxyInstance(
                AciFormatTest.class.getClassLoader(), new Class<?>[] {org.bosun.api.image.ImageStore.class},
                (proxy, method, args) -> {
                    if (Set.of("newBlob", "record", "markUsed", "remove", "gc").contains(method.getName())) {
                        writes.add(method.getName());
                    }
                    try {
                        return method.invoke(fixture.store(), args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    public void anUnchangedFileIsTakenFromTheStoreWithoutStoringOrRecordingIt() throws Exception {
        Path file = Aci.minimal().file("rootfs/hello", "hello\n").writeTo(image(), Aci.Compression.GZIP);
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        FetchOptions options = fixture.options(INSECURE_IMAGE);
        String id = fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id();
        List<String> writes = new java.util.ArrayList<>();

        var again = new AciFormat().fetch(ImageReference.parse(file.toString(), Path.of("/")), options,
                countingWrites(fixture, writes));

        assertEquals(id, again.id());
        assertEquals("no blob written, no record changed", List.of(), writes);
    }

    @Test
    public void aFileRewrittenInPlaceIsImportedAgainEvenWithItsSizeAndTimeKept() throws Exception {
        Path file = Aci.minimal().file("rootfs/hello", "hello\n").writeTo(image(), Aci.Compression.NONE);
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        String first = fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id();
        var modified = Files.getLastModifiedTime(file);
        byte[] rewritten = Aci.minimal().file("rootfs/hello", "HELLO\n").tar();
        assertEquals("the same size", Files.size(file), rewritten.length);
        Files.write(file, rewritten);
        Files.setLastModifiedTime(file, modified);

        String second = fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id();

        assertFalse("the new content is a new image", first.equals(second));
        assertEquals(Aci.sha512Id(rewritten), second);
    }

    @Test
    public void pullPolicyUpdateReadsAnUnchangedFileAgain() throws Exception {
        Path file = Aci.minimal().writeTo(image());
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        String id = fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id();
        List<String> writes = new java.util.ArrayList<>();
        FetchOptions update = new FetchOptions(fixture.options(INSECURE_IMAGE).paths(), EnumSet.of(InsecureOption.IMAGE),
                "update");

        assertEquals(id, new AciFormat().fetch(ImageReference.parse(file.toString(), Path.of("/")), update,
                countingWrites(fixture, writes)).id());
        assertEquals("re-recorded, but its blob is not written again", List.of("record"), writes);
    }

    @Test
    public void aLocalFileIsReadWhateverThePullPolicyAsInRkt() throws Exception {
        Path file = Aci.minimal().writeTo(image());
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        FetchOptions never = new FetchOptions(RuntimePaths.defaults(), EnumSet.of(InsecureOption.IMAGE), "never");
        String id = fixture.fetch(new AciFormat(), file, never).id();
        assertEquals(id, fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id());
        Files.delete(file);
        BosunException e = assertThrows(BosunException.class, () -> fixture.fetch(new AciFormat(), file, never));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file + " does not exist"));
    }

    @Test
    public void aNameIsFoundInTheStoreHoweverItsImageCameThereWithPullPolicyNeverOrNew() throws Exception {
        Path file = Aci.minimal().writeTo(image());
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        String id = fixture.fetch(new AciFormat(), file, INSECURE_IMAGE).id();
        FetchOptions never = new FetchOptions(RuntimePaths.defaults(), EnumSet.of(InsecureOption.IMAGE), "never");
        for (String name : List.of("example.com/test", "example.com/test:1.0", "example.com/test,os=linux")) {
            assertEquals(name, id, fixture.fetch(new AciFormat(), ImageReference.parse(name, Path.of("/")), never).id());
            assertEquals(name, id, fixture.fetch(new AciFormat(), ImageReference.parse(name, Path.of("/")),
                    INSECURE_IMAGE).id());
        }
        BosunException e = assertThrows(BosunException.class, () -> fixture.fetch(new AciFormat(),
                ImageReference.parse("example.com/test:2.0", Path.of("/")), never));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
    }

    @Test
    public void aDependencyAlreadyInTheStoreIsTakenFromItWithoutDiscovery() throws Exception {
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        Path base = new Aci().manifest(Aci.manifestJson("example.com/base")).dir("rootfs", 0755, 0, 0)
                .file("rootfs/from-base", "base\n").writeTo(scratch.root().resolve("images/base.aci"));
        String baseId = fixture.fetch(new AciFormat(), base, INSECURE_IMAGE).id();
        String manifest = withManifestField("\"dependencies\":[{\"imageName\":\"example.com/base\","
                + "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"}]}]");
        Path child = new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0).writeTo(image());
        StoreFixture.Fetched fetched = fixture.fetch(new AciFormat(), child, INSECURE_IMAGE);
        assertEquals(List.of(baseId), fetched.image().dependencies());
    }

    @Test
    public void refusesAnUnsignedImageWithoutInsecureOptionImage() throws Exception {
        Path file = Aci.minimal().writeTo(image());
        BosunException e = assertThrows(BosunException.class, () -> open(file, SECURE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file.toString()));
        assertTrue(e.getMessage(), e.getMessage().contains("--insecure-options=image"));
    }

    @Test
    public void refusesASignedImageAsUnavailableWhileNoTrustBundleCanVerifyIt() throws Exception {
        Path file = Aci.minimal().writeTo(image());
        Files.writeString(file.resolveSibling("x.aci.asc"), "-----BEGIN PGP SIGNATURE-----\n");
        BosunException e = assertThrows(BosunException.class, () -> open(file, SECURE));
        assertEquals(e.getMessage(), ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file.toString()));
    }

    @Test
    public void insecureOptionImageAcceptsASignedImageWithoutVerifying() throws Exception {
        Path file = Aci.minimal().writeTo(image());
        Files.writeString(file.resolveSibling("x.aci.asc"), "not checked");
        assertEquals("example.com/test", open(file, INSECURE_IMAGE).manifest().name());
    }

    @Test
    public void refusesAMissingFileAsNotFound() {
        Path file = image();
        BosunException e = assertThrows(BosunException.class, () -> open(file, INSECURE_IMAGE));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file.toString()));
    }

    @Test
    public void aDiscoveryReferenceWithPullPolicyNeverIsLookedUpInTheStoreOnly() {
        FetchOptions never = new FetchOptions(RuntimePaths.defaults(), EnumSet.of(InsecureOption.IMAGE), "never");
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("data"));
        BosunException e = assertThrows(BosunException.class,
                () -> new AciFormat().fetch(ImageReference.parse("example.com/app:v1", Path.of("/")),
                        fixture.options(never), fixture.store()));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("example.com/app:v1"));
        assertTrue(e.getMessage(), e.getMessage().contains("--pull-policy=never"));
    }

    @Test
    public void refusesAFileThatIsNotATarArchive() throws Exception {
        Files.createDirectories(image().getParent());
        Files.write(image(), "this is not an archive at all, just some text that goes on".repeat(20)
                .getBytes(StandardCharsets.UTF_8));
        BosunException e = assertThrows(BosunException.class, () -> open(image(), INSECURE_IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(image().toString()));
    }

    @Test
    public void refusesAnImageWithoutAManifest() throws Exception {
        BosunException e = refusal(new Aci().dir("rootfs", 0755, 0, 0).file("rootfs/x", "x"), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("manifest"));
    }

    @Test
    public void refusesAManifestThatIsNotJson() throws Exception {
        BosunException e = refusal(new Aci().manifest("acKind: ImageManifest").dir("rootfs", 0755, 0, 0),
                ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("manifest"));
        assertTrue(e.getMessage(), e.getMessage().contains("not JSON"));
    }

    @Test
    public void refusesAManifestThatIsNotAJsonObject() throws Exception {
        BosunException e = refusal(new Aci().manifest("[1, 2]").dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("manifest"));
    }

    @Test
    public void refusesAManifestOfAnotherAcKind() throws Exception {
        String pod = Aci.manifestJson("example.com/test").replace("ImageManifest", "PodManifest");
        BosunException e = refusal(new Aci().manifest(pod).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("PodManifest"));
    }

    @Test
    public void refusesAnUpperCaseImageName() throws Exception {
        BosunException e = refusal(new Aci().manifest(Aci.manifestJson("example.com/MyApp")).dir("rootfs", 0755, 0, 0),
                ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("'example.com/MyApp'"));
    }

    @Test
    public void refusesAnEmptyImageName() throws Exception {
        refusal(new Aci().manifest(Aci.manifestJson("")).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
    }

    @Test
    public void refusesAnImageForAnotherOs() throws Exception {
        String manifest = Aci.manifestJson("example.com/test").replace("\"value\":\"linux\"", "\"value\":\"freebsd\"");
        BosunException e = refusal(new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("freebsd"));
    }

    @Test
    public void refusesAnImageForAnotherArch() throws Exception {
        String other = hostArch().equals("ppc64le") ? "s390x" : "ppc64le";
        String manifest = Aci.manifestJson("example.com/test")
                .replace("{\"name\":\"os\",", "{\"name\":\"arch\",\"value\":\"" + other + "\"},{\"name\":\"os\",");
        BosunException e = refusal(new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains(other));
    }

    @Test
    public void refusesAnAppWithoutUser() throws Exception {
        String manifest = Aci.manifestJson("example.com/test").replace("\"user\":\"0\",", "");
        BosunException e = refusal(new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("user"));
    }

    @Test
    public void refusesAnAppWithoutGroup() throws Exception {
        String manifest = Aci.manifestJson("example.com/test").replace(",\"group\":\"0\"", "");
        BosunException e = refusal(new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("group"));
    }

    @Test
    public void refusesAManifestOfMoreThanOneMebibyte() throws Exception {
        String good = Aci.manifestJson("example.com/test");
        String huge = good + " ".repeat(AciArchive.MAX_MANIFEST_BYTES + 1 - good.length());
        assertEquals(AciArchive.MAX_MANIFEST_BYTES + 1, huge.length());
        BosunException e = refusal(new Aci().manifest(huge).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
        assertTrue(e.getMessage(), e.getMessage().contains("manifest"));
    }

    @Test
    public void acceptsAManifestOfExactlyOneMebibyte() throws Exception {
        String good = Aci.manifestJson("example.com/test");
        String big = good + " ".repeat(AciArchive.MAX_MANIFEST_BYTES - good.length());
        Path file = new Aci().manifest(big).dir("rootfs", 0755, 0, 0).writeTo(image());
        assertEquals("example.com/test", open(file, INSECURE_IMAGE).manifest().name());
    }

    @Test
    public void refusesAnImageWithDependenciesAsUnavailable() throws Exception {
        String manifest = withManifestField("\"dependencies\":[{\"imageName\":\"example.com/base\"}]");
        refusal(new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0), ErrorKind.UNAVAILABLE);
    }

    @Test
    public void refusesAnXzImageWhoseDictionaryWouldTakeMoreMemoryThanAllowed() throws Exception {
        // 300 bytes whose xz block header asks for a 1.5 GiB dictionary, which the decoder allocated at once.
        Path file = scratch.root().resolve("images/x.aci");
        Files.createDirectories(file.getParent());
        Files.write(file, xzWithDictionaryProperty(Aci.minimal().tar(), 37));
        BosunException e = assertThrows(BosunException.class, () -> open(file, INSECURE_IMAGE));
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file + " needs 1536 MiB of memory to be decompressed"));
    }

    /** {@code tar} as xz with a 1 MiB dictionary, whose block header then names the dictionary {@code property}. */
    private static byte[] xzWithDictionaryProperty(byte[] tar, int property) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.tukaani.xz.LZMA2Options options = new org.tukaani.xz.LZMA2Options();
        options.setDictSize(1 << 20);
        try (org.tukaani.xz.XZOutputStream xz = new org.tukaani.xz.XZOutputStream(out, options)) {
            xz.write(tar);
        }
        byte[] bytes = out.toByteArray();
        int header = 12; // after the stream header: size, flags, filter id 0x21, property size 1, property
        int size = ((bytes[header] & 0xff) + 1) * 4;
        assertEquals("the LZMA2 filter", 0x21, bytes[header + 2]);
        bytes[header + 4] = (byte) property;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, header, size - 4);
        long value = crc.getValue();
        for (int i = 0; i < 4; i++) {
            bytes[header + size - 4 + i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }

    @Test
    public void refusesLabelsThatAreNotAList() throws Exception {
        String manifest = Aci.manifestJson("example.com/test").replaceFirst("\"labels\":\\[.*?\\],", "\"labels\":{\"os\":\"linux\"},");
        refusal(new Aci().manifest(manifest).dir("rootfs", 0755, 0, 0), ErrorKind.INVALID_ARGUMENT);
    }
}
