package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Docker and OCI images end to end, secure by default: real registries (Debian's docker-registry,
 * without auth, with htpasswd and with token auth), images packed by umoci and pushed and signed
 * (simple signing) by skopeo with a throw-away gpg key, and the archives skopeo writes. A signed
 * image whose signer is trusted for its repository is fetched, listed and run (fly); anything
 * unsigned, wrongly signed, over plain HTTP without the flag, without credentials, or damaged in
 * the registry is refused with one clear line and leaves no image behind.
 */
public class DockerImageIT extends E2eCase {
    static final BosunFixture FIXTURE = new BosunFixture();
    static final GpgHome GPG = new GpgHome();
    static final DockerImages IMAGES = new DockerImages(GPG);
    @ClassRule
    public static final TestRule CLASS_RULES = RuleChain.outerRule(FIXTURE).around(GPG).around(IMAGES);

    static final String HTTP = "--insecure-options=http";
    static final String HELLO = "hello from busybox";

    private Path local;
    private Path system;

    public DockerImageIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Before
    public void configuration() throws Exception {
        local = work.resolve("local");
        system = Files.createDirectories(work.resolve("system"));
        IMAGES.configure(local);
    }

    /** {@code bosun --dir DATA --local-config LOCAL --system-config SYSTEM args...}. */
    private BosunResult withConfig(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--local-config", local.toString(), "--system-config", system.toString()));
        all.addAll(Arrays.asList(args));
        return bosun(all.toArray(new String[0]));
    }

    /** {@code fetch --full} that must succeed quietly; returns the image id. */
    private String fetch(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("fetch", "--full"));
        all.addAll(Arrays.asList(args));
        BosunResult r = withConfig(all.toArray(new String[0]));
        assertExit(0, r);
        assertEquals("fetch is quiet off a terminal:\n" + r.describe(), "", r.stderr);
        String id = r.stdout.trim();
        assertTrue("a sha256 image id:\n" + r.describe(), id.matches("sha256:[0-9a-f]{64}"));
        return id;
    }

    /** {@code run --stage1-name=fly [extra] IMAGE --exec /bin/sh -- -c SCRIPT}. */
    private BosunResult run(String image, String script, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", FLY));
        args.addAll(Arrays.asList(extra));
        args.addAll(List.of(image, "--exec", "/bin/sh", "--", "-c", script));
        return withConfig(args.toArray(new String[0]));
    }

    private static void assertPrinted(String expected, BosunResult r) {
        assertExit(0, r);
        assertEquals(r.describe(), expected, r.stdout);
    }

    /** Refused: the exit code, one clear line on stderr naming the image, nothing on stdout; returns the line. */
    private static String assertRefused(int exitCode, String image, BosunResult r) {
        assertExit(exitCode, r);
        assertOneClearLine(r);
        assertEquals(r.describe(), "", r.stdout);
        assertMentions("the refusal names the image", image, r.stderr);
        return r.stderr;
    }

    private static void assertMentions(String what, String needle, String line) {
        assertTrue(what + ": expected '" + needle + "' in: " + line, line.contains(needle));
    }

    private JsonNode images() throws Exception {
        BosunResult r = withConfig("image", "list", "--format=json");
        assertExit(0, r);
        return JSON.readTree(r.stdout);
    }

    private void assertNoImages() throws Exception {
        JsonNode images = images();
        assertEquals("no image is listed: " + images, 0, images.size());
    }

    // ------------------------------------------------------------------ registry without auth

    @Test
    public void aSignedImageFromARegistryIsFetchedListedAndRun() throws Exception {
        String image = IMAGES.plain.image("test/busybox:latest");
        String id = fetch(HTTP, image);
        assertEquals("the image id is the manifest digest", IMAGES.busyboxDigest, id);

        JsonNode images = images();
        assertEquals(images.toString(), 1, images.size());
        JsonNode listed = images.get(0);
        assertEquals(id, listed.path("id").asText());
        assertEquals(IMAGES.plain.host + "/test/busybox", listed.path("name").asText());
        assertEquals("docker", listed.path("format").asText());
        assertEquals(image, listed.path("references").get(0).asText());

        BosunResult run = run(image, "echo " + HELLO, HTTP);
        assertPrinted(HELLO + "\n", run);
        assertEquals(run.describe(), "", run.stderr);
    }

    @Test
    public void plainHttpIsRefusedWithoutTheInsecureOption() throws Exception {
        String image = IMAGES.plain.image("test/busybox:latest");
        String line = assertRefused(6, image, withConfig("fetch", image));
        assertMentions("the refusal names the way out", HTTP, line);
    }

    @Test
    @AgentModeOnly("the pull policy is the format's code in both modes")
    public void aSecondFetchIsANoOpAndUpdateSeesARePushedTag() throws Exception {
        try (Registry own = Registry.start(work.resolve("registry"), null, null)) {
            IMAGES.addRegistry(local, own);
            own.push(IMAGES.images.source("latest"), "test/moving:v1", GPG, IMAGES.signer);
            String image = own.image("test/moving:v1");
            assertEquals(IMAGES.busyboxDigest, fetch(HTTP, image));

            own.push(IMAGES.images.source("layers"), "test/moving:v1", GPG, IMAGES.signer);
            assertEquals("pull policy new keeps the stored image", IMAGES.busyboxDigest, fetch(HTTP, image));
            assertEquals("pull policy update sees the new manifest", IMAGES.layersDigest,
                    fetch(HTTP, "--pull-policy=update", image));

            own.close();
            assertFalse(own.isAlive());
            assertEquals("a second fetch does not need the registry", IMAGES.layersDigest, fetch(HTTP, image));
            // Three layers, in order: the file of the second, the deletion (whiteout) of the second, the third.
            assertPrinted(OciImages.MOTD + "\nno vi\n" + OciImages.THIRD + "\n", run(image,
                    "cat /etc/motd; test -e /bin/vi || echo no vi; cat /data/third.txt", HTTP, "--pull-policy=never"));
        }
    }

    @Test
    @AgentModeOnly("signature checks are the trust bundle's code in both modes")
    public void anUnsignedImageIsRefusedNamingTheInsecureOption() throws Exception {
        String image = IMAGES.plain.image("test/unsigned:latest");
        String line = assertRefused(4, image, withConfig("fetch", HTTP, image));
        assertMentions("the refusal says why", "is not signed", line);
        assertMentions("the refusal names the way out", INSECURE, line);
        assertNoImages();
        fetch("--insecure-options=http,image", image);
    }

    @Test
    @AgentModeOnly("signature checks are the trust bundle's code in both modes")
    public void anImageSignedByAnUntrustedKeyIsRefused() throws Exception {
        String image = IMAGES.plain.image("test/other-signer:latest");
        String line = assertRefused(5, image, withConfig("fetch", HTTP, image));
        assertMentions("the refusal names the signer", IMAGES.stranger, line);
        assertMentions("the refusal names the fix", "bosun trust --prefix=", line);
        assertNoImages();
    }

    @Test
    @AgentModeOnly("signature checks are the trust bundle's code in both modes")
    public void aSignatureOfAnotherManifestIsRefused() throws Exception {
        String image = IMAGES.plain.image("test/swapped:latest");
        String line = assertRefused(4, image, withConfig("fetch", HTTP, image));
        assertMentions("the refusal names the signed digest", IMAGES.busyboxDigest, line);
        assertMentions("the refusal names the fetched digest", IMAGES.layersDigest, line);
        assertNoImages();
    }

    @Test
    @AgentModeOnly("platform selection is the format's code in both modes")
    public void theHostsPlatformIsChosenFromAnIndex() throws Exception {
        String image = IMAGES.plain.image("test/multi:latest");
        assertEquals("the amd64 entry, listed second, is chosen", IMAGES.busyboxDigest, fetch(HTTP, image));
        assertPrinted(HELLO + "\n", run(image, "echo " + HELLO, HTTP, "--pull-policy=never"));
    }

    @Test
    public void aDockerSchema2ImageIsFetchedAndRun() throws Exception {
        String image = IMAGES.plain.image("test/schema2:latest");
        assertEquals(IMAGES.schema2Digest, fetch(HTTP, image));
        assertPrinted(HELLO + "\n", run(image, "echo " + HELLO, HTTP, "--pull-policy=never"));
    }

    @Test
    @AgentModeOnly("mirror selection is the format's code in both modes")
    public void aMirrorServesTheImageOfARegistryThatIsDown() throws Exception {
        String image = "docker://" + IMAGES.mirrored + "/test/busybox:latest";
        String line = assertRefused(6, image, withConfig("fetch", HTTP, image));
        assertMentions("without a mirror the registry is tried", "cannot reach the registry " + IMAGES.mirrored, line);

        IMAGES.mirror(local);
        assertEquals(IMAGES.busyboxDigest, fetch(HTTP, image));
        JsonNode listed = images().get(0);
        assertEquals("the image keeps the name it was asked by", IMAGES.mirrored + "/test/busybox", listed.path("name").asText());
    }

    @Test
    @AgentModeOnly("digest checks are the format's code in both modes")
    public void aLayerThatDoesNotMatchItsDigestIsRefusedAndNothingIsListed() throws Exception {
        String image = IMAGES.plain.image("test/corrupt:latest");
        String line = assertRefused(4, image, withConfig("fetch", HTTP, image));
        assertMentions("the refusal names the layer", IMAGES.corruptLayer, line);
        assertNoImages();
        String hex = IMAGES.corruptLayer.substring("sha256:".length());
        try (var blobs = Files.walk(data)) {
            assertEquals("the damaged layer is not in the store", List.of(),
                    blobs.filter(p -> p.getFileName().toString().contains(hex)).toList());
        }
        assertEquals("no temporary file is left in the store", List.of(), E2e.entries(data.resolve("cas/tmp")));
    }

    @Test
    @AgentModeOnly("length checks are the format's code in both modes")
    public void aLayerLongerThanItsDescriptorSaysIsRefusedAndNothingIsListed() throws Exception {
        String image = IMAGES.plain.image("test/short:latest");
        String line = assertRefused(4, image, withConfig("fetch", HTTP, image));
        assertMentions("the refusal names the layer", IMAGES.shortLayer, line);
        assertMentions("the refusal says what is wrong", "longer than", line);
        assertNoImages();
        assertEquals("no temporary file is left in the store", List.of(), E2e.entries(data.resolve("cas/tmp")));
    }

    // ------------------------------------------------------------------ archives and layouts

    @Test
    @AgentModeOnly("layout and archive reading is the format's code in both modes")
    public void signedOciLayoutsAndArchivesRun() throws Exception {
        for (String image : List.of("oci:" + IMAGES.images.layout + ":latest", "oci-archive:" + IMAGES.ociArchive,
                "docker-archive:" + IMAGES.dockerArchive)) {
            assertPrinted(HELLO + "\n", run(image, "echo " + HELLO));
        }
    }

    @Test
    @AgentModeOnly("signature checks are the trust bundle's code in both modes")
    public void unsignedOciLayoutsAndArchivesAreRefused() throws Exception {
        for (String image : List.of("oci:" + IMAGES.images.layout + ":unsigned", "oci-archive:" + IMAGES.unsignedOciArchive,
                "docker-archive:" + IMAGES.unsignedDockerArchive)) {
            String line = assertRefused(125, image, run(image, "echo " + HELLO));
            assertMentions("the refusal names the way out", INSECURE, line);
        }
        assertNoPods();
    }

    @Test
    @AgentModeOnly("the user lookup is prepare's code in both modes")
    public void aUserWithoutAGroupRunsWithThePrimaryGroupOfTheImagesPasswd() throws Exception {
        // User "nobody" and no group: as docker, gid 65534 from the image's /etc/passwd, not 0.
        assertPrinted("65534:65534\n", run("oci:" + IMAGES.images.layout + ":nobody", "echo $(id -u):$(id -g)", INSECURE));
    }

    // ------------------------------------------------------------------ registries with auth

    @Test
    @AgentModeOnly("registry authentication is the format's code in both modes")
    public void basicAuthNeedsCredentialsFromAuthD() throws Exception {
        String image = IMAGES.basic.image("test/busybox:latest");
        String line = assertRefused(5, image, withConfig("fetch", HTTP, image));
        assertMentions("the refusal names where credentials go", "auth.d", line);
        assertNoImages();

        DockerImages.credentials(local, IMAGES.basic);
        assertEquals(IMAGES.busyboxDigest, fetch(HTTP, image));
    }

    @Test
    @AgentModeOnly("registry authentication is the format's code in both modes")
    public void bearerTokenAuthGoesThroughTheTokenService() throws Exception {
        String image = IMAGES.token.image("test/busybox:latest");
        String line = assertRefused(5, image, withConfig("fetch", HTTP, image));
        assertMentions("the refusal names the token service", IMAGES.tokens.realm(), line);
        assertMentions("the refusal names where credentials go", "auth.d", line);

        IMAGES.tokens.granted.clear();
        DockerImages.credentials(local, IMAGES.token);
        assertEquals(IMAGES.busyboxDigest, fetch(HTTP, image));
        assertTrue("bosun asked the token service for pull access: " + IMAGES.tokens.granted,
                IMAGES.tokens.granted.contains("repository:test/busybox:pull"));
    }
}
