package org.bosun.itest.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.rules.ExternalResource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the Docker/OCI end-to-end tests of one class share, built once: the {@link OciImages}
 * layout, two gpg keys (a publisher's and a stranger's), three real registries (no auth, htpasswd,
 * token auth with its {@link TokenService}) holding signed and unsigned images, and archives
 * ({@code oci-archive:}, {@code docker-archive:}) signed in a lookaside store of their own for
 * {@code example.com/test}. Registries and the token service are stopped afterwards, whatever
 * happened, and everything lives in one temporary directory that is deleted.
 * <p>
 * The no-auth registry ({@link #plain}) holds, under {@code test/}: {@code busybox:latest} signed;
 * {@code unsigned:latest}; {@code other-signer:latest} signed by the stranger;
 * {@code swapped:latest} (the {@code layers} image) with a good signature of the busybox manifest
 * stored as its own; {@code corrupt:latest} signed, one layer damaged in the registry's storage;
 * {@code multi:latest}, an OCI index of an arm64 and the amd64 busybox image, signed;
 * {@code schema2:latest}, busybox as a Docker schema 2 manifest, signed; {@code short:latest}, a
 * signed manifest put through the registry API whose layer descriptor gives the wrong size.
 */
final class DockerImages extends ExternalResource {
    static final String USER = "bosun";
    static final String PASSWORD = "secret";
    static final String CREDENTIALS = USER + ":" + PASSWORD;
    static final String EXAMPLE = "example.com/test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GpgHome gpg;
    Path root;
    OciImages images;
    String signer;
    String stranger;
    String signerKey;
    Registry plain;
    Registry basic;
    Registry token;
    TokenService tokens;
    Path exampleSigstore;
    Path ociArchive;
    Path dockerArchive;
    Path unsignedOciArchive;
    Path unsignedDockerArchive;
    /** The manifest digests of the layout's tags, and of the index pushed as test/multi. */
    String busyboxDigest;
    String layersDigest;
    String indexDigest;
    String corruptLayer;
    /** The layer of {@code test/short:latest} whose descriptor gives a smaller size than its blob has. */
    String shortLayer;
    /** The digest of {@code test/schema2:latest}, busybox pushed as a Docker schema 2 manifest. */
    String schema2Digest;
    /** {@code 127.0.0.1:PORT} where no registry listens: {@link #plain} is its mirror; its signatures of busybox are in {@link #mirroredSigstore}. */
    String mirrored;
    Path mirroredSigstore;
    private final List<AutoCloseable> running = new ArrayList<>();
    private Thread shutdownHook;

    DockerImages(GpgHome gpg) {
        this.gpg = gpg;
    }

    @Override
    protected void before() throws Throwable {
        root = Files.createTempDirectory("bosun-e2e-docker-");
        shutdownHook = new Thread(this::stopAll, "bosun-e2e-registry-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            setUp();
        } catch (Throwable t) {
            after();
            throw t;
        }
    }

    private void setUp() throws Exception {
        signer = gpg.generate("Image Publisher <publisher@example.com>", "default");
        stranger = gpg.generate("Stranger <stranger@example.com>", "ed25519");
        signerKey = Files.readString(gpg.export(signer, root.resolve("publisher.asc")));
        images = OciImages.build(Files.createDirectories(root.resolve("images")));
        busyboxDigest = OciImages.sha256(images.manifest("latest"));
        layersDigest = OciImages.sha256(images.manifest("layers"));

        plain = started(Registry.start(root.resolve("plain"), null, null));
        plain.push(images.source("latest"), "test/busybox:latest", gpg, signer);
        plain.push(images.source("unsigned"), "test/unsigned:latest", gpg, null);
        plain.push(images.source("latest"), "test/other-signer:latest", gpg, stranger);
        plain.push(images.source("layers"), "test/swapped:latest", gpg, null);
        OciImages.signAs(root, gpg, signer, images.manifest("latest"), plain.host + "/test/swapped:latest",
                plain.sigstore, layersDigest);
        plain.push(images.source("latest"), "test/schema2:latest", gpg, signer, "v2s2");
        schema2Digest = OciImages.sha256(OciImages.raw(root, "docker://" + plain.host + "/test/schema2:latest",
                "--tls-verify=false"));
        pushCorrupt();
        pushShortLayer();
        pushIndex();
        mirrored = "127.0.0.1:" + Registry.freePort();
        mirroredSigstore = Files.createDirectories(root.resolve("mirrored-sigstore"));
        OciImages.sign(root, gpg, signer, images.manifest("latest"), mirrored + "/test/busybox:latest", mirroredSigstore);

        Path htpasswd = root.resolve("htpasswd");
        Files.writeString(htpasswd, OciImages.run(root, null, List.of("htpasswd", "-Bbn", USER, PASSWORD)));
        basic = started(Registry.start(root.resolve("basic"), "  htpasswd: {realm: bosun-test, path: " + htpasswd + "}\n",
                CREDENTIALS));
        basic.push(images.source("latest"), "test/busybox:latest", gpg, signer);

        tokens = started(TokenService.start(root.resolve("token-service"), CREDENTIALS));
        token = started(Registry.start(root.resolve("token"), tokens.registryAuth(), CREDENTIALS));
        token.push(images.source("latest"), "test/busybox:latest", gpg, signer);
        tokens.granted.clear();

        exampleSigstore = Files.createDirectories(root.resolve("example-sigstore"));
        Path archives = Files.createDirectories(root.resolve("archives"));
        ociArchive = archives.resolve("busybox-oci.tar");
        dockerArchive = archives.resolve("busybox-docker.tar");
        unsignedOciArchive = archives.resolve("unsigned-oci.tar");
        unsignedDockerArchive = archives.resolve("unsigned-docker.tar");
        OciImages.copy(root, images.source("latest"), "oci-archive:" + ociArchive + ":latest");
        OciImages.copy(root, images.source("latest"), "docker-archive:" + dockerArchive + ":" + EXAMPLE + "/busybox:latest");
        OciImages.copy(root, images.source("unsigned"), "oci-archive:" + unsignedOciArchive + ":latest");
        OciImages.copy(root, images.source("unsigned"), "docker-archive:" + unsignedDockerArchive + ":" + EXAMPLE
                + "/unsigned:latest");
        OciImages.sign(root, gpg, signer, images.manifest("latest"), EXAMPLE + "/busybox:latest", exampleSigstore);
        OciImages.sign(root, gpg, signer, OciImages.raw(root, "docker-archive:" + dockerArchive), EXAMPLE + "/busybox:latest",
                exampleSigstore);
    }

    /** The {@code corrupt} image, signed; then one byte of its own layer changes in the registry's storage. */
    private void pushCorrupt() throws Exception {
        plain.push(images.source("corrupt"), "test/corrupt:latest", gpg, signer);
        JsonNode layers = JSON.readTree(images.manifest("corrupt")).path("layers");
        corruptLayer = layers.get(layers.size() - 1).path("digest").asText();
        Path data = plain.blobData(corruptLayer);
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(data, bytes);
    }

    /**
     * {@code test/short:latest}, put by hand through the registry API: busybox's manifest, signed,
     * whose last layer's descriptor says 100 bytes fewer than the blob has.
     */
    private void pushShortLayer() throws Exception {
        plain.push(images.source("latest"), "test/short:base", gpg, null);
        ObjectNode manifest = (ObjectNode) JSON.readTree(images.manifest("latest"));
        ArrayNode layers = (ArrayNode) manifest.get("layers");
        ObjectNode last = (ObjectNode) layers.get(layers.size() - 1);
        shortLayer = last.path("digest").asText();
        last.put("size", last.path("size").asLong() - 100);
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        plain.putManifest("test/short", "latest", Registry.OCI_MANIFEST, bytes);
        OciImages.sign(root, gpg, signer, bytes, plain.host + "/test/short:latest", plain.sigstore);
    }

    /** {@code test/multi:latest}: an OCI index listing an arm64 image first and the amd64 busybox second, signed. */
    private void pushIndex() throws Exception {
        plain.push(images.source("arm64"), "test/multi:arm64", gpg, null);
        plain.push(images.source("latest"), "test/multi:amd64", gpg, null);
        byte[] arm = images.manifest("arm64");
        byte[] amd = images.manifest("latest");
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + Registry.OCI_INDEX + "\",\"manifests\":["
                + entry(arm, "arm64") + "," + entry(amd, "amd64") + "]}";
        byte[] bytes = index.getBytes(StandardCharsets.UTF_8);
        indexDigest = OciImages.sha256(bytes);
        plain.putManifest("test/multi", "latest", Registry.OCI_INDEX, bytes);
        OciImages.sign(root, gpg, signer, bytes, plain.host + "/test/multi:latest", plain.sigstore);
    }

    private static String entry(byte[] manifest, String architecture) {
        return "{\"mediaType\":\"" + Registry.OCI_MANIFEST + "\",\"digest\":\"" + OciImages.sha256(manifest) + "\",\"size\":"
                + manifest.length + ",\"platform\":{\"architecture\":\"" + architecture + "\",\"os\":\"linux\"}}";
    }

    private <T extends AutoCloseable> T started(T thing) {
        running.add(thing);
        return thing;
    }

    /**
     * A local configuration directory for one test: lookaside stores for the three registries and
     * the archives, and the publisher's key trusted for {@code HOST/test} of each and for
     * {@code example.com/test} (written in bosun's key store layout, as {@code bosun trust} does).
     */
    void configure(Path local) throws Exception {
        for (Registry r : List.of(plain, basic, token)) {
            addRegistry(local, r);
        }
        sigstore(local, "example", EXAMPLE, exampleSigstore);
        trust(local, EXAMPLE);
    }

    /** Adds {@code registry}'s lookaside store and trusts the publisher for {@code HOST/test}. */
    void addRegistry(Path local, Registry registry) throws Exception {
        sigstore(local, "registry-" + registry.port, registry.host, registry.sigstore);
        trust(local, registry.host + "/test");
    }

    private static void sigstore(Path local, String name, String prefix, Path store) throws Exception {
        Path file = local.resolve("sigstore.d").resolve(name + ".json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"bosunKind\":\"sigstore\",\"bosunVersion\":\"v1\",\"prefix\":\"" + prefix
                + "\",\"url\":\"file://" + store + "\"}\n");
    }

    private void trust(Path local, String prefix) throws Exception {
        Path key = local.resolve("trustedkeys/prefix.d").resolve(prefix).resolve(signer.toLowerCase(Locale.ROOT));
        Files.createDirectories(key.getParent());
        Files.writeString(key, signerKey);
    }

    /** mirrors.d: {@link #plain} (plain HTTP) serves {@link #mirrored}, and the publisher is trusted for its images. */
    void mirror(Path local) throws Exception {
        Path file = local.resolve("mirrors.d/mirrored.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"bosunKind\":\"registryMirror\",\"bosunVersion\":\"v1\",\"registry\":\"" + mirrored
                + "\",\"mirrors\":[\"http://" + plain.host + "\"]}\n");
        sigstore(local, "mirrored", mirrored, mirroredSigstore);
        trust(local, mirrored + "/test");
    }

    /** rkt's dockerAuth file with the test credentials for {@code registry}. */
    static void credentials(Path local, Registry registry) throws Exception {
        Path file = local.resolve("auth.d/" + registry.port + ".json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\",\"registries\":[\"" + registry.host
                + "\"],\"credentials\":{\"user\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}}\n");
    }

    @Override
    protected void after() {
        stopAll();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down and runs it anyway
            }
        }
        List<String> problems = E2e.deleteTree(root);
        if (!problems.isEmpty()) {
            System.err.println("bosun-e2e: cannot delete " + root + ": " + problems);
        }
    }

    private synchronized void stopAll() {
        for (AutoCloseable thing : running) {
            try {
                thing.close();
            } catch (Exception e) {
                System.err.println("bosun-e2e: cannot stop " + thing + ": " + e);
            }
        }
        running.clear();
    }
}
