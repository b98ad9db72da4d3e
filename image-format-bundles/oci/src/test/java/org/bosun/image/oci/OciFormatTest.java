package org.bosun.image.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.host.archive.HostileContent;
import org.bosun.host.archive.ImageArchives;
import org.bosun.host.files.Scratch;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.image.oci.layers.StoredImages;
import org.bosun.store.ImageStoreImpl;
import org.bosun.trust.OpenPgpTrustStore;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;

/**
 * Fetching from OCI layouts, OCI archives and docker save tarballs into the real store, with a
 * busybox-static image that umoci and skopeo build, signed with gpg and skopeo's simple signing.
 */
public class OciFormatTest {
    private static Path images;
    private static Path gnupg;
    private static String fingerprint;
    private static String otherFingerprint;

    @Rule
    public final Scratch scratch = new Scratch();

    private final OciFormat format = new OciFormat();
    private final ImageStore store = new ImageStoreImpl();
    private RuntimePaths paths;

    @BeforeClass
    public static void buildImages() throws IOException {
        images = Files.createTempDirectory("bosun-oci-images-");
        Shell.buildBusybox(images);
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "bosun-gpg-");
        Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = Map.of("GNUPGHOME", gnupg.toString());
        Shell.run(images, env, "gpg --batch --passphrase '' --quick-gen-key 'bosun test <t@example.com>' ed25519 sign never"
                + " && gpg --batch --passphrase '' --quick-gen-key 'other <o@example.com>' ed25519 sign never"
                + " && gpg --armor --export t@example.com > trusted.asc");
        fingerprint = Shell.run(images, env, "gpg --with-colons --list-keys t@example.com 2>/dev/null | awk -F: '/^fpr/{print $10; exit}'");
        otherFingerprint = Shell.run(images, env, "gpg --with-colons --list-keys o@example.com 2>/dev/null | awk -F: '/^fpr/{print $10; exit}'");
    }

    @AfterClass
    public static void removeImages() {
        try {
            Shell.run(images, Map.of("GNUPGHOME", gnupg.toString()), "gpgconf --kill all");
        } finally {
            Scratch.deleteTree(gnupg);
            Scratch.deleteTree(images);
        }
    }

    @Before
    public void layOut() throws IOException {
        format.trust = new OpenPgpTrustStore();
        paths = new RuntimePaths(scratch.root().resolve("data"), scratch.root().resolve("etc"), scratch.root().resolve("usr-lib"));
    }

    private FetchOptions insecure() {
        return new FetchOptions(paths, EnumSet.of(InsecureOption.IMAGE), "new");
    }

    private FetchOptions secure() {
        return new FetchOptions(paths, Set.of(), "new");
    }

    private StoredImage fetch(String reference, FetchOptions options) {
        return format.fetch(ImageReference.parse(reference, images), options, store);
    }

    private Path render(StoredImage image) {
        return store.tree(paths, image, (i, tree) -> format.render(i, store, paths, tree));
    }

    /** Signs the manifest {@code digest} for {@code identity} into the file sigstore and configures it. */
    private void sign(String key, String identity, String digest, String manifestFile) throws IOException {
        Path sigstore = scratch.root().resolve("sigstore");
        String repoPath = identity.substring(identity.indexOf('/') + 1).replaceFirst(":[^:/]+$", "");
        Path dir = Files.createDirectories(sigstore.resolve(repoPath + "@sha256=" + digest.substring(7)));
        Shell.run(images, Map.of("GNUPGHOME", gnupg.toString()), "skopeo standalone-sign --output " + dir.resolve("signature-1")
                + " " + manifestFile + " " + identity + " " + key);
        Path config = Files.createDirectories(paths.localConfigDir().resolve("sigstore.d"));
        Files.writeString(config.resolve("local.json"), "{\"bosunKind\": \"sigstore\", \"bosunVersion\": \"v1\","
                + " \"prefix\": \"127.0.0.1:5000/\", \"url\": \"" + sigstore.toUri() + "\"}");
        new OpenPgpTrustStore().trust(paths, org.bosun.api.trust.TrustScope.prefix("127.0.0.1:5000/test"),
                Files.readAllBytes(images.resolve("trusted.asc")));
    }

    private String manifestDigest() {
        return Shell.run(images, Map.of(), "skopeo inspect --format '{{.Digest}}' oci:oci:latest");
    }

    private String dockerArchiveDigest() {
        return Shell.run(images, Map.of(), "skopeo inspect --format '{{.Digest}}' docker-archive:busybox-docker.tar");
    }

    @Test
    public void fetchesAnOciLayoutByRefNameAndRendersBusybox() throws IOException {
        StoredImage image = fetch("oci:oci:latest", insecure());
        assertEquals(manifestDigest(), image.id());
        assertEquals("oci", image.format());
        assertEquals(List.of("oci:" + images.resolve("oci") + ":latest"), image.references());
        assertEquals(2, image.blobs().size());
        assertEquals(image.blobs().get(0), image.metadata().get(StoredImages.CONFIG_DIGEST));
        Path tree = render(image);
        assertTrue(Files.isRegularFile(tree.resolve("bin/busybox"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(tree.resolve("bin/sh")));
    }

    @Test
    public void mapsTheImageConfigAsRktDid() {
        ImageManifest m = fetch("oci:oci:latest", insecure()).manifest();
        assertEquals(List.of("/bin/sh"), m.exec());
        assertEquals("daemon", m.user());
        assertEquals("daemon", m.group());
        assertEquals("/", m.workingDirectory());
        assertEquals("hello", m.environment().get("GREETING"));
        assertEquals(List.of(new ImageManifest.Port("80-tcp", "tcp", 80)), m.ports());
        assertEquals(List.of(new ImageManifest.MountPoint("volume-var-data", "/var/data", false)), m.mountPoints());
        assertEquals("bosun", m.annotations().get("org.example.team"));
        assertEquals("latest", m.labels().get("version"));
    }

    @Test
    public void fetchesAnOciArchive() {
        StoredImage image = fetch("oci-archive:busybox-oci.tar", insecure());
        assertEquals(manifestDigest(), image.id());
        assertTrue(Files.isRegularFile(render(image).resolve("bin/busybox")));
    }

    @Test
    public void fetchesADockerArchiveWithTheDigestSkopeoGivesIt() {
        StoredImage image = fetch("docker-archive:busybox-docker.tar", insecure());
        assertEquals(dockerArchiveDigest(), image.id());
        assertEquals("127.0.0.1:5000/test/busybox", image.name());
        assertTrue(Files.isRegularFile(render(image).resolve("bin/busybox")));
    }

    @Test
    public void refusesAnUnsignedImageNamingTheInsecureOption() {
        for (String ref : List.of("oci:oci:latest", "oci-archive:busybox-oci.tar", "docker-archive:busybox-docker.tar")) {
            BosunException e = assertThrows(BosunException.class, () -> fetch(ref, secure()));
            assertTrue(e.getMessage(), e.getMessage().contains("--insecure-options=image"));
            assertFalse(e.getMessage(), e.getMessage().contains("\n"));
        }
        assertEquals(List.of(), store.list(paths));
    }

    @Test
    public void acceptsADockerArchiveWithATrustedSimpleSignature() throws IOException {
        String digest = dockerArchiveDigest();
        Shell.run(images, Map.of(), "skopeo inspect --raw docker-archive:busybox-docker.tar > docker-manifest.json");
        sign(fingerprint, "127.0.0.1:5000/test/busybox:latest", digest, "docker-manifest.json");
        StoredImage image = fetch("docker-archive:busybox-docker.tar", secure());
        assertEquals(digest, image.id());
        assertEquals(fingerprint, image.metadata().get(StoredImages.SIGNED_BY).replace(" ", ""));
    }

    @Test
    public void acceptsAnOciLayoutSignedInAFileSigstore() throws IOException {
        String digest = manifestDigest();
        Shell.run(images, Map.of(), "skopeo inspect --raw oci:oci:latest > oci-manifest.json");
        sign(fingerprint, "127.0.0.1:5000/test/busybox:latest", digest, "oci-manifest.json");
        StoredImage image = fetch("oci:oci:latest", secure());
        assertEquals("127.0.0.1:5000/test/busybox", image.name());
    }

    @Test
    public void refusesAnImageSignedByAKeyThatIsNotTrusted() throws IOException {
        String digest = dockerArchiveDigest();
        Shell.run(images, Map.of(), "skopeo inspect --raw docker-archive:busybox-docker.tar > docker-manifest.json");
        sign(otherFingerprint, "127.0.0.1:5000/test/busybox:latest", digest, "docker-manifest.json");
        BosunException e = assertThrows(BosunException.class, () -> fetch("docker-archive:busybox-docker.tar", secure()));
        assertTrue(e.getMessage(), e.getMessage().contains("not trusted"));
        assertEquals(List.of(), store.list(paths));
    }

    @Test
    public void refusesASignatureForAnotherTag() throws IOException {
        String digest = dockerArchiveDigest();
        Shell.run(images, Map.of(), "skopeo inspect --raw docker-archive:busybox-docker.tar > docker-manifest.json");
        sign(fingerprint, "127.0.0.1:5000/test/busybox:old", digest, "docker-manifest.json");
        BosunException e = assertThrows(BosunException.class, () -> fetch("docker-archive:busybox-docker.tar", secure()));
        assertTrue(e.getMessage(), e.getMessage().contains("not for"));
    }

    @Test
    public void refusesALayerWhoseDigestDoesNotMatchAndRecordsNothing() throws IOException {
        Path copy = scratch.root().resolve("tampered");
        Shell.run(images, Map.of(), "cp -r oci " + copy);
        String layer = Shell.run(copy, Map.of(), "ls -S blobs/sha256 | head -1");
        Shell.run(copy, Map.of(), "printf x >> blobs/sha256/" + layer);
        BosunException e = assertThrows(BosunException.class, () -> fetch("oci:" + copy + ":latest", insecure()));
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(layer));
        assertEquals(List.of(), store.list(paths));
    }

    /** What the store holds: images, blobs, blobs being written and trees. */
    private List<String> stored() throws IOException {
        List<String> found = new java.util.ArrayList<>();
        store.list(paths).forEach(i -> found.add("image " + i.id()));
        for (String dir : List.of("cas/blobs/sha256", "cas/blobs/sha512", "cas/tmp", "tree")) {
            Path d = paths.dataDir().resolve(dir);
            if (Files.isDirectory(d)) {
                try (java.util.stream.Stream<Path> entries = Files.list(d)) {
                    entries.forEach(e -> found.add(dir + "/" + e.getFileName()));
                }
            }
        }
        return found;
    }

    @Test
    public void refusesEveryHostileLayoutAndDockerArchiveAtFetchAndStoresNothing() throws IOException {
        for (HostileContent hostile : HostileContent.forLayers()) {
            String name = hostile.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            Path layout = ImageArchives.ociLayout(scratch.root().resolve("hostile/" + name), hostile.layer());
            Path archive = ImageArchives.dockerArchive(scratch.root().resolve("hostile/" + name + ".tar"), hostile.layer(),
                    "example.com/hostile/" + name + ":latest");
            for (String reference : List.of("oci:" + layout + ":latest", "docker-archive:" + archive)) {
                BosunException e = assertThrows(BosunException.class, () -> fetch(reference, insecure()));
                assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
                assertTrue(hostile.what + ": " + e.getMessage(), e.getMessage().startsWith("image " + reference
                        + " is refused: layer sha256:"));
                assertTrue(hostile.what + ": " + e.getMessage(), e.getMessage().contains(" entry " + hostile.entry("") + " "));
                assertFalse(e.getMessage().contains("\n"));
                assertEquals(hostile.what + " from " + reference + " left something in the store", List.of(), stored());
            }
        }
    }

    @Test
    public void refusesAnOversizedManifest() throws IOException {
        Path copy = scratch.root().resolve("huge");
        Shell.run(images, Map.of(), "cp -r oci " + copy);
        Shell.run(copy, Map.of(), "head -c 5000000 /dev/zero | tr '\\0' ' ' > big && d=$(sha256sum big | cut -c1-64)"
                + " && mv big blobs/sha256/$d && printf '{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%s\",\"size\":5000000}]}' $d > index.json");
        BosunException e = assertThrows(BosunException.class, () -> fetch("oci:" + copy, insecure()));
        assertTrue(e.getMessage(), e.getMessage().contains("larger than 4 MiB"));
        assertEquals(List.of(), store.list(paths));
    }

    @Test
    public void namesTheImagesOfALayoutWhenTheRefIsUnknown() {
        BosunException e = assertThrows(BosunException.class, () -> fetch("oci:oci:nope", insecure()));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("busybox, latest"));
    }
}
