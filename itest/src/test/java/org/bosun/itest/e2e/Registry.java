package org.bosun.itest.e2e;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Docker registry for one test class or test: Debian's {@code docker-registry}
 * (distribution 2.8) on a free 127.0.0.1 port, with its storage, configuration, log and a lookaside
 * signature store ({@code sigstore/}, where {@code skopeo --sign-by} puts simple signatures) in a
 * directory of its own. {@link #close()} stops it (SIGTERM, then SIGKILL) whatever happened. Public for
 * the image format TCK's run on the docker format (org.bosun.itest.tck.DockerFormatTckIT).
 */
public final class Registry implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    final Path dir;
    final int port;
    /** {@code 127.0.0.1:PORT}: the registry part of image references. */
    final String host;
    /** Where skopeo writes the simple signatures of what is pushed here (a containers lookaside store). */
    final Path sigstore;
    /** {@code user:secret} for pushes, or null for a registry without auth. */
    private final String credentials;
    private final Process process;

    private Registry(Path dir, int port, String credentials, Process process) {
        this.dir = dir;
        this.port = port;
        this.host = "127.0.0.1:" + port;
        this.sigstore = dir.resolve("sigstore");
        this.credentials = credentials;
        this.process = process;
    }

    /**
     * Starts a registry in {@code dir} (created). {@code auth} is the YAML of the {@code auth:}
     * section (null: none); {@code credentials} ({@code user:secret}) are what pushes use.
     */
    public static Registry start(Path dir, String auth, String credentials) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("sigstore"));
        Files.createDirectories(dir.resolve("registries.d"));
        Files.writeString(dir.resolve("registries.d/default.yaml"),
                "default-docker:\n  sigstore-staging: file://" + dir.resolve("sigstore") + "\n");
        IOException last = null;
        // A port found free can be taken before the registry binds it: then it exits, and we try another.
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            int debugPort = freePort();
            Path config = dir.resolve("config.yml");
            Files.writeString(config, "version: 0.1\n"
                    + "log: {level: info, accesslog: {disabled: true}}\n"
                    + "storage: {filesystem: {rootdirectory: " + dir.resolve("data") + "}, delete: {enabled: true}}\n"
                    + "http: {addr: 127.0.0.1:" + port + ", debug: {addr: 127.0.0.1:" + debugPort + "}}\n"
                    + (auth == null ? "" : "auth:\n" + auth));
            Path log = dir.resolve("registry.log");
            Process p = new ProcessBuilder("docker-registry", "serve", config.toString()).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Registry registry = new Registry(dir, port, credentials, p);
            try {
                registry.awaitReady();
                return registry;
            } catch (IOException e) {
                registry.close();
                last = e;
            }
        }
        throw last;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": " + log());
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                // Someone else's server could answer on a port ours failed to bind: only ours counts.
                if ((status == 200 || status == 401) && process.isAlive() && !log().contains("address already in use")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(25);
        }
        throw new IOException("docker-registry did not answer on " + host + " within " + START_TIMEOUT.toSeconds()
                + " s: " + log());
    }

    String log() {
        try {
            return Files.readString(dir.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** A port nothing listened on a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code docker://127.0.0.1:PORT/REPOSITORY}: a bosun image reference. */
    public String image(String repositoryAndTag) {
        return "docker://" + host + "/" + repositoryAndTag;
    }

    /**
     * {@code skopeo copy SOURCE docker://HOST/REPOSITORY:TAG}, signed with simple signing by
     * {@code signer} (a fingerprint in {@code gpg}'s home) unless it is null.
     */
    void push(String source, String repositoryAndTag, GpgHome gpg, String signer) throws IOException, InterruptedException {
        push(source, repositoryAndTag, gpg, signer, null);
    }

    /** As {@link #push(String, String, GpgHome, String)}, converting the manifest to {@code format} ({@code v2s2}, {@code oci}). */
    void push(String source, String repositoryAndTag, GpgHome gpg, String signer, String format)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                "--registries.d", dir.resolve("registries.d").toString()));
        if (format != null) {
            cmd.add("--format=" + format);
        }
        if (credentials != null) {
            cmd.add("--dest-creds=" + credentials);
        }
        if (signer != null) {
            cmd.add("--sign-by=" + signer);
        }
        cmd.add(source);
        cmd.add("docker://" + host + "/" + repositoryAndTag);
        OciImages.run(dir, gpg, cmd);
    }

    /** {@code skopeo copy SOURCE docker://HOST/REPOSITORY:TAG}, unsigned, in the source's manifest format. */
    public void push(String source, String repositoryAndTag) throws IOException, InterruptedException {
        push(source, repositoryAndTag, null, null, null);
    }

    /** PUT {@code /v2/REPOSITORY/manifests/REF} with the given media type, as a client that pushes by hand. */
    void putManifest(String repository, String reference, String mediaType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + "/v2/" + repository
                + "/manifests/" + reference)).header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    credentials.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("PUT manifest " + repository + ":" + reference + " -> HTTP " + response.statusCode()
                    + ": " + response.body());
        }
    }

    /** The file in which this registry (filesystem storage) keeps the bytes of blob {@code sha256:HEX}. */
    Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return dir.resolve("data/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    /** The directory of the registry's filesystem storage: its blobs, repositories and uploads. */
    public Path storage() {
        return dir.resolve("data");
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }
}
