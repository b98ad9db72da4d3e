package org.bosun.metadata;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The endpoints of the appc spec's metadata service, on pods registered in real directories as
 * core leaves them: a host record naming the data directory, the pod manifest, the registration.
 */
public class MetadataRequestsTest {
    private static final String UUID_A = "11111111-2222-4333-8444-555555555555";
    private static final String UUID_B = "66666666-7777-4888-9999-aaaaaaaaaaaa";
    private static final String TOKEN_A = "a".repeat(64);
    private static final String TOKEN_B = "b".repeat(64);
    private static final String IMAGE_ID = "sha512-" + "c".repeat(64);
    private static final String IMAGE_MANIFEST = "{\"acKind\":\"ImageManifest\",\"name\":\"example.com/busybox\","
            + "\"annotations\":[{\"name\":\"authors\",\"value\":\"image\"},{\"name\":\"kept\",\"value\":\"image\"}]}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private MetadataRequests requests;
    private Path dataDir;

    @Before
    public void twoPodsOnTheDefaultNetwork() throws Exception {
        Path host = tmp.newFolder("host").toPath();
        dataDir = tmp.newFolder("data").toPath();
        register(host, UUID_A, TOKEN_A, "172.16.28.5", "run", "[{\"name\":\"pod-note\",\"value\":\"a\"}]",
                "{\"name\":\"web\",\"image\":{\"name\":\"example.com/busybox\",\"id\":\"" + IMAGE_ID + "\"},"
                        + "\"annotations\":[{\"name\":\"authors\",\"value\":\"pod\"}]}");
        register(host, UUID_B, TOKEN_B, "172.16.28.6", "run", "[]",
                "{\"name\":\"db\",\"image\":{\"name\":\"example.com/busybox\",\"id\":\"" + IMAGE_ID + "\"}}");
        requests = new MetadataRequests(new PodRegistrations(host),
                (dir, id) -> dir.equals(dataDir) && id.equals(IMAGE_ID) ? Optional.of(IMAGE_MANIFEST) : Optional.empty());
    }

    private void register(Path host, String uuid, String token, String address, String state, String annotations,
            String app) throws Exception {
        registerPod(host, dataDir, uuid, token, address, state, annotations, app);
    }

    /** A pod as core leaves it: its host record, its manifest, its registration. */
    static void registerPod(Path host, Path dataDir, String uuid, String token, String address, String state,
            String annotations, String app) throws Exception {
        Path record = Files.createDirectories(host.resolve("held").resolve(uuid));
        Files.writeString(record.resolve("pod.json"), "{\"version\":1,\"uuid\":\"" + uuid + "\",\"dataDir\":\""
                + dataDir + "\",\"podsDir\":\"" + dataDir.resolve("pods") + "\",\"ports\":[]}");
        Path pod = Files.createDirectories(dataDir.resolve("pods").resolve(state).resolve(uuid));
        Files.writeString(pod.resolve("pod"), "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[" + app
                + "],\"annotations\":" + annotations + "}");
        String key = Base64.getEncoder().encodeToString((uuid + "-key").getBytes(StandardCharsets.US_ASCII));
        Files.writeString(pod.resolve(PodRegistrations.REGISTRATION), "{\"version\":1,\"uuid\":\"" + uuid
                + "\",\"token\":\"" + token + "\",\"hmacKey\":\"" + key + "\",\"url\":\"http://172.16.28.1:18112/" + token
                + "\",\"addresses\":[\"" + address + "\"]}");
    }

    private MetadataRequests.Reply get(String token, String from, String entry) {
        return requests.handle(new MetadataRequests.Request("GET", "/" + token + "/acMetadata/v1/" + entry, null,
                new byte[0], from, "172.16.28.1"));
    }

    private MetadataRequests.Reply post(String token, String from, String entry, String form) {
        return requests.handle(new MetadataRequests.Request("POST", "/" + token + "/acMetadata/v1/" + entry,
                MetadataRequests.FORM_TYPE, form.getBytes(StandardCharsets.US_ASCII), from, "172.16.28.1"));
    }

    private static String body(MetadataRequests.Reply r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    public void aPodReadsItsUuidManifestAndAnnotationsWithTheSpecsContentTypes() throws Exception {
        MetadataRequests.Reply uuid = get(TOKEN_A, "172.16.28.5", "pod/uuid");
        assertEquals(200, uuid.status());
        assertEquals("text/plain; charset=us-ascii", uuid.contentType());
        assertEquals(UUID_A, body(uuid));

        MetadataRequests.Reply manifest = get(TOKEN_A, "172.16.28.5", "pod/manifest");
        assertEquals("application/json", manifest.contentType());
        assertEquals("web", JSON.readTree(manifest.body()).path("apps").get(0).path("name").asText());

        MetadataRequests.Reply annotations = get(TOKEN_A, "172.16.28.5", "pod/annotations/");
        assertEquals("application/json", annotations.contentType());
        assertEquals("[{\"name\":\"pod-note\",\"value\":\"a\"}]", body(annotations));
    }

    @Test
    public void anAppReadsItsImageManifestIdAndTheMergedAnnotations() throws Exception {
        assertEquals(IMAGE_MANIFEST, body(get(TOKEN_A, "172.16.28.5", "apps/web/image/manifest")));
        MetadataRequests.Reply id = get(TOKEN_A, "172.16.28.5", "apps/web/image/id");
        assertEquals("text/plain; charset=us-ascii", id.contentType());
        assertEquals(IMAGE_ID, body(id));
        JsonNode merged = JSON.readTree(get(TOKEN_A, "172.16.28.5", "apps/web/annotations/").body());
        assertEquals("the pod manifest's app annotation wins over the image's",
                "[{\"name\":\"authors\",\"value\":\"pod\"},{\"name\":\"kept\",\"value\":\"image\"}]", merged.toString());
    }

    @Test
    public void signingAndVerifyingIsHmacSha512OfThePodsKeyAndAnotherPodVerifies() {
        MetadataRequests.Reply sig = post(TOKEN_A, "172.16.28.5", "pod/hmac/sign", "content=hello+world%21");
        assertEquals(200, sig.status());
        assertEquals("text/plain; charset=us-ascii", sig.contentType());
        String expected = Base64.getEncoder().encodeToString(MetadataRequests.hmac(
                (UUID_A + "-key").getBytes(StandardCharsets.US_ASCII), "hello world!"));
        assertEquals(expected, body(sig));

        String form = "content=hello+world%21&uuid=" + UUID_A + "&signature="
                + java.net.URLEncoder.encode(body(sig), StandardCharsets.US_ASCII);
        assertEquals(200, post(TOKEN_B, "172.16.28.6", "pod/hmac/verify", form).status());
        assertEquals("the other content", 403, post(TOKEN_B, "172.16.28.6", "pod/hmac/verify",
                form.replace("content=hello", "content=bye")).status());
        assertEquals("signed by another pod", 403, post(TOKEN_B, "172.16.28.6", "pod/hmac/verify",
                form.replace(UUID_A, UUID_B)).status());
        assertEquals("an unknown pod", 403, post(TOKEN_B, "172.16.28.6", "pod/hmac/verify",
                form.replace(UUID_A, "00000000-0000-4000-8000-000000000000")).status());
        assertEquals(400, post(TOKEN_A, "172.16.28.5", "pod/hmac/verify", "content=x").status());
    }

    @Test
    public void aPodSeesOnlyItsOwnData() {
        assertEquals("an unknown token", 403, get("f".repeat(64), "172.16.28.5", "pod/uuid").status());
        assertEquals("another pod's token from this pod's address", 403, get(TOKEN_B, "172.16.28.5", "pod/uuid").status());
        assertEquals("the pod's token arriving on another host address", 403, requests.handle(
                new MetadataRequests.Request("GET", "/" + TOKEN_A + "/acMetadata/v1/pod/uuid", null, new byte[0],
                        "172.16.28.5", "192.0.2.1")).status());
        assertEquals("another pod's app", 404, get(TOKEN_A, "172.16.28.5", "apps/db/image/id").status());
        assertEquals(UUID_B, body(get(TOKEN_B, "172.16.28.6", "pod/uuid")));
    }

    @Test
    public void wrongMethodsPathsAndFormsAreRefusedAsHttpSays() {
        MetadataRequests.Reply put = requests.handle(new MetadataRequests.Request("POST",
                "/" + TOKEN_A + "/acMetadata/v1/pod/uuid", MetadataRequests.FORM_TYPE, new byte[0], "172.16.28.5",
                "172.16.28.1"));
        assertEquals(405, put.status());
        assertEquals("GET", put.headers().get("Allow"));
        assertEquals(405, get(TOKEN_A, "172.16.28.5", "pod/hmac/sign").status());
        assertEquals(404, get(TOKEN_A, "172.16.28.5", "pod/nothing").status());
        assertEquals(404, requests.handle(new MetadataRequests.Request("GET", "/acMetadata/v1/pod/uuid", null,
                new byte[0], "172.16.28.5", "172.16.28.1")).status());
        MetadataRequests.Reply json = requests.handle(new MetadataRequests.Request("POST",
                "/" + TOKEN_A + "/acMetadata/v1/pod/hmac/sign", "application/json", "{}".getBytes(StandardCharsets.US_ASCII),
                "172.16.28.5", "172.16.28.1"));
        assertEquals(415, json.status());
        assertEquals(400, post(TOKEN_A, "172.16.28.5", "pod/hmac/sign", "other=1").status());
    }

    @Test
    public void anExitedPodsTokenIsRefusedButItsSignaturesVerifyUntilGc() throws Exception {
        String sig = body(post(TOKEN_A, "172.16.28.5", "pod/hmac/sign", "content=x"));
        Path run = dataDir.resolve("pods/run").resolve(UUID_A);
        Files.move(run, Files.createDirectories(dataDir.resolve("pods/exited-garbage")).resolve(UUID_A));
        assertEquals("its address may be another pod's now", 403, get(TOKEN_A, "172.16.28.5", "pod/uuid").status());
        assertEquals(200, post(TOKEN_B, "172.16.28.6", "pod/hmac/verify", "content=x&uuid=" + UUID_A + "&signature="
                + java.net.URLEncoder.encode(sig, StandardCharsets.US_ASCII)).status());
    }

    @Test
    public void aPodCollectedByGcIsNoLongerRegistered() throws Exception {
        assertEquals(200, get(TOKEN_A, "172.16.28.5", "pod/uuid").status());
        Path pod = dataDir.resolve("pods/run").resolve(UUID_A);
        Files.delete(pod.resolve(PodRegistrations.REGISTRATION));
        assertEquals(403, get(TOKEN_A, "172.16.28.5", "pod/uuid").status());
        assertTrue(post(TOKEN_B, "172.16.28.6", "pod/hmac/verify", "content=x&uuid=" + UUID_A + "&signature=AAAA")
                .status() == 403);
    }
}
