package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The appc metadata service (issue 16), with busybox's wget in real pods on the default network:
 * an app reads its pod's uuid and manifest and its image's manifest and id from
 * {@code $AC_METADATA_URL}, signs a blob that the pod's other app verifies; an app of another pod
 * is refused the first pod's data, even with its token, and can only verify its signature; after
 * gc the first pod's registration is gone (its signature no longer verifies); core registered the pod with
 * the service over its root-only unix socket and removed it at gc. On runc, crun and
 * nspawn; through the agent the agent's service answers, in-process a {@code bosun
 * metadata-service} started by the test on a port of its own.
 */
public class MetadataServiceIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    private static final String METADATA = "M=$AC_METADATA_URL/acMetadata/v1; ";
    private static final String URLENCODE = "sed -e 's/+/%2B/g' -e 's#/#%2F#g' -e 's/=/%3D/g'";

    public MetadataServiceIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void appsReadTheirPodsDataSignAndVerifyAndOtherPodsAreRefused() throws Exception {
        Process standAlone = null;
        Path log = work.resolve("metadata-service.err");
        try {
            if (mode == Mode.IN_PROCESS) {
                int port = freePort();
                ProcessBuilder pb = new ProcessBuilder(fixture.bin.toString(), "metadata-service", "--listen-port=" + port)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(work.resolve("metadata-service.out").toFile()).redirectError(log.toFile());
                fixture.environment(pb.environment(), Mode.IN_PROCESS);
                standAlone = pb.start();
                awaitListening(standAlone, port, log);
            }
            for (List<String> engine : List.of(List.of(OciEngineIT.OCI, OciEngineIT.runtime("runc")),
                    List.of(OciEngineIT.OCI, OciEngineIT.runtime("crun")), List.of("--stage1-name=nspawn"))) {
                onEngine(engine);
            }
        } finally {
            if (standAlone != null) {
                standAlone.destroy();
                if (!standAlone.waitFor(30, TimeUnit.SECONDS)) {
                    standAlone.destroyForcibly();
                    throw new AssertionError("bosun metadata-service did not stop on SIGTERM");
                }
            }
        }
    }

    private void onEngine(List<String> engine) throws Exception {
        String name = String.join(" ", engine);
        Path shared = Files.createDirectories(work.resolve("shared-" + name.hashCode()));
        Path uuidFile = work.resolve("uuid-" + name.hashCode());
        String signer = METADATA
                + "echo uuid=$(wget -q -O - $M/pod/uuid); "
                + "echo id=$(wget -q -O - $M/apps/$AC_APP_NAME/image/id); "
                + "wget -q -O /shared/pod.json $M/pod/manifest; "
                + "wget -q -O /shared/image.json $M/apps/$AC_APP_NAME/image/manifest; "
                + "wget -q -O - --post-data content=blob-to-sign $M/pod/hmac/sign > /shared/sig.tmp"
                + " && mv /shared/sig.tmp /shared/sig; "
                + "i=0; until [ -e /shared/release ] || [ $i -ge 1200 ]; do sleep 0.05; i=$((i+1)); done; echo released";
        String verifier = METADATA
                + "i=0; until [ -s /shared/sig ] || [ $i -ge 600 ]; do sleep 0.05; i=$((i+1)); done; "
                + "s=$(" + URLENCODE + " /shared/sig); u=$(wget -q -O - $M/pod/uuid); "
                + "wget -q -O /dev/null --post-data \"content=blob-to-sign&uuid=$u&signature=$s\" $M/pod/hmac/verify"
                + " && echo verified=yes || echo verified=no; "
                + "wget -q -O /dev/null --post-data \"content=another-blob&uuid=$u&signature=$s\" $M/pod/hmac/verify"
                + " && echo forged=accepted || echo forged=refused";
        List<String> args = new ArrayList<>(List.of("run", INSECURE));
        args.addAll(engine);
        args.addAll(List.of("--uuid-file-save=" + uuidFile, "--volume=shared,kind=host,source=" + shared,
                aci(), "--name=signer", "--mount", "volume=shared,target=/shared", "--exec", "/bin/sh", "--", "-c", signer,
                "---", aci(), "--name=verifier", "--mount", "volume=shared,target=/shared", "--exec", "/bin/sh", "--", "-c",
                verifier));
        BosunProcess first = startBosun(args.toArray(String[]::new));
        first.closeStdin();
        awaitFile(shared.resolve("sig"), first);
        String uuid = Files.readString(uuidFile).trim();
        String signature = Files.readString(shared.resolve("sig")).trim();

        JsonNode manifest = JSON.readTree(shared.resolve("pod.json").toFile());
        assertEquals(name, "PodManifest", manifest.path("acKind").asText());
        List<String> apps = new ArrayList<>();
        manifest.path("apps").forEach(a -> apps.add(a.path("name").asText()));
        assertEquals(name, List.of("signer", "verifier"), apps);
        String imageId = manifest.path("apps").get(0).path("image").path("id").asText();
        JsonNode image = JSON.readTree(shared.resolve("image.json").toFile());
        assertEquals(name, "ImageManifest", image.path("acKind").asText());
        assertEquals(name, manifest.path("apps").get(0).path("image").path("name").asText(), image.path("name").asText());

        // Another pod, while the first runs: its own data, never the first's, not even with its token.
        String firstUrl = registration(uuid).path("url").asText();
        assertEquals(name + ": registered by core over the service's unix socket", List.of(firstUrl),
                registeredUrls(uuid));
        List<String> other = new ArrayList<>(List.of("run", INSECURE));
        other.addAll(engine);
        other.addAll(List.of("--set-env=FIRST_URL=" + firstUrl, aci(), "--name=other", "--exec", "/bin/sh", "--", "-c",
                METADATA + "echo own=$(wget -q -O - $M/pod/uuid); "
                        + "wget -q -O - $FIRST_URL/acMetadata/v1/pod/uuid && echo stolen-token=answered"
                        + " || echo stolen-token=refused; "
                        + "wget -q -O - $M/apps/signer/image/id && echo their-app=answered || echo their-app=refused; "
                        + "s=$(echo '" + signature + "' | " + URLENCODE + "); "
                        + "wget -q -O /dev/null --post-data \"content=blob-to-sign&uuid=" + uuid + "&signature=$s\""
                        + " $M/pod/hmac/verify && echo theirs=verified || echo theirs=refused"));
        BosunResult refused = bosun(other.toArray(String[]::new));
        assertExit(0, refused);
        List<String> lines = refused.stdoutLines();
        assertTrue(name + ": its own uuid:\n" + refused.describe(), lines.stream().anyMatch(l -> l.matches(
                "own=[0-9a-f-]{36}") && !l.equals("own=" + uuid)));
        assertTrue(name + ":\n" + refused.describe(), lines.containsAll(List.of("stolen-token=refused",
                "their-app=refused", "theirs=verified")));

        Files.writeString(shared.resolve("release"), "");
        BosunResult run = first.await(CALL_TIMEOUT);
        assertExit(0, run);
        assertTrue(name + ":\n" + run.describe(), run.stdoutLines().containsAll(List.of("[signer] uuid=" + uuid,
                "[signer] id=" + imageId, "[signer] released", "[verifier] verified=yes", "[verifier] forged=refused")));

        // After gc the first pod's registration is gone: its signature verifies no more.
        assertExit(0, bosun("gc", "--grace-period=0"));
        assertFalse(name, registrationFiles());
        assertEquals(name + ": removed at gc", List.of(), registeredUrls(uuid));
        List<String> late = new ArrayList<>(List.of("run", INSECURE));
        late.addAll(engine);
        late.addAll(List.of(aci(), "--name=late", "--exec", "/bin/sh", "--", "-c", METADATA
                + "s=$(echo '" + signature + "' | " + URLENCODE + "); "
                + "wget -q -O /dev/null --post-data \"content=blob-to-sign&uuid=" + uuid + "&signature=$s\""
                + " $M/pod/hmac/verify && echo gone=verified || echo gone=refused"));
        BosunResult afterGc = bosun(late.toArray(String[]::new));
        assertExit(0, afterGc);
        assertEquals(name + ":\n" + afterGc.describe(), List.of("gone=refused"), afterGc.stdoutLines());
        assertExit(0, bosun("gc", "--grace-period=0"));
        assertFalse(name, registrationFiles());
    }

    @Test
    public void aPodWithoutANetworkGetsNoUrlAndDebugSaysSo() throws Exception {
        BosunResult none = bosun("--debug", "run", INSECURE, OciEngineIT.OCI, "--net=none", aci(), "--exec", "/bin/sh",
                "--", "-c", "echo url=${AC_METADATA_URL:-none}");
        assertExit(0, none);
        assertEquals(none.describe(), List.of("url=none"), none.stdoutLines());
        assertTrue(none.describe(), none.stderr.contains("--net=none: the apps get no AC_METADATA_URL"));
        assertExit(0, bosun("gc", "--grace-period=0"));
    }

    private JsonNode registration(String uuid) throws IOException {
        try (Stream<Path> found = Files.find(data.resolve("pods"), 3,
                (p, a) -> p.getFileName().toString().equals("metadata-service.json") && p.getParent().getFileName()
                        .toString().equals(uuid))) {
            Path file = found.findFirst().orElseThrow(() -> new AssertionError("pod " + uuid + " has no registration"));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)));
            return JSON.readTree(file.toFile());
        }
    }

    /**
     * The URLs the running service lists for the pod on its registration socket (root only, its
     * path recorded beside its port, else the default one), as core registered it there.
     */
    private static List<String> registeredUrls(String uuid) throws IOException {
        Path record = Path.of("/var/lib/bosun-host/metadata-service/socket");
        // none recorded: the default port's (a service on another port that stopped removed its record)
        Path socket = Path.of(Files.exists(record) ? Files.readString(record).trim() : "/run/bosun/metadata-svc.sock");
        assertEquals(socket.toString(), "rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket)));
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            c.connect(java.net.UnixDomainSocketAddress.of(socket));
            c.write(java.nio.ByteBuffer.wrap("GET /pods HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8192);
            while (c.read(b) > 0) {
                answer.write(b.array(), 0, b.position());
                b.clear();
            }
            String[] parts = answer.toString(java.nio.charset.StandardCharsets.UTF_8).split("\r\n\r\n", 2);
            assertTrue(parts[0], parts[0].startsWith("HTTP/1.1 200 "));
            List<String> urls = new ArrayList<>();
            JSON.readTree(parts[1]).forEach(p -> {
                if (p.path("uuid").asText().equals(uuid)) {
                    urls.add(p.path("url").asText());
                }
            });
            return urls;
        }
    }

    private boolean registrationFiles() throws IOException {
        if (!Files.isDirectory(data.resolve("pods"))) {
            return false;
        }
        try (Stream<Path> found = Files.find(data.resolve("pods"), 3,
                (p, a) -> p.getFileName().toString().equals("metadata-service.json"))) {
            return found.findAny().isPresent();
        }
    }

    private static void awaitFile(Path file, BosunProcess run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!(Files.exists(file) && Files.size(file) > 0)) {
            if (!run.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(file + " never appeared:\n" + run.await(Duration.ofSeconds(10)).describe());
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(Process service, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new AssertionError("bosun metadata-service exited with " + service.exitValue() + ":\n"
                        + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("bosun metadata-service never listened on " + port + ":\n" + Files.readString(log));
    }
}
