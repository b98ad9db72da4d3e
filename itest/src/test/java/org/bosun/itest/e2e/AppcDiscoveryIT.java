package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;

/**
 * appc images from a publisher's HTTPS server, as rkt fetched them: by name through appc meta
 * discovery ({@code localhost/app:1.0} → {@code https://localhost/app?ac-discovery=1}, then its
 * parents), by {@code https://} URL, with the signature beside the image and the publisher's key
 * found by discovery too. The server is real HTTPS with a certificate bosun verifies: the test
 * puts it in {@code certs.d/} of the local configuration, which the agent and the in-process mode
 * both read; {@code discovery.d/} tells bosun the server's port. Dependencies are rendered below
 * the image that names them.
 */
public class AppcDiscoveryIT extends E2eCase {
    static final BosunFixture FIXTURE = new BosunFixture();
    static final GpgHome GPG = new GpgHome();
    static final DiscoveryServer SERVER = new DiscoveryServer();
    @ClassRule
    public static final TestRule CLASS_RULES = RuleChain.outerRule(FIXTURE).around(GPG).around(SERVER);

    private static final String TEMPLATE = "/images/{name}-{version}-{os}-{arch}.{ext}";
    private static boolean published;
    private static String baseId;
    private static String publisher;

    private Path local;
    private Path system;

    public AppcDiscoveryIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Before
    public void publishedImagesAndConfiguration() throws Exception {
        synchronized (AppcDiscoveryIT.class) {
            if (!published) {
                publish();
                published = true;
            }
        }
        local = work.resolve("local");
        system = Files.createDirectories(work.resolve("system"));
        Files.createDirectories(local.resolve("certs.d"));
        Files.copy(SERVER.certificate(), local.resolve("certs.d/test-server.pem"));
        Files.createDirectories(local.resolve("discovery.d"));
        Files.writeString(local.resolve("discovery.d/localhost.json"), "{\"bosunKind\": \"discovery\", \"bosunVersion\":"
                + " \"v1\", \"domains\": [\"localhost\"], \"port\": " + SERVER.port() + "}\n");
    }

    /**
     * The publisher's site: a discovery page at the domain's root (none for the image paths, so
     * discovery must walk up), its key, and signed images built with actool: localhost/base (busybox),
     * localhost/app (its own /etc/passwd and /app/hello.txt, depending on localhost/base by name and
     * id), localhost/slim (app's files, limited by a pathWhitelist), and unsigned images whose
     * dependencies are missing or loop.
     */
    private static void publish() throws Exception {
        publisher = GPG.generate("Localhost Publisher <publisher@localhost>", "default");
        Path dir = Files.createDirectories(FIXTURE.images.resolve("published"));
        SERVER.put("/?ac-discovery=1", ("<html><head>\n"
                + "<meta name=\"ac-discovery\" content=\"localhost " + SERVER.url(TEMPLATE) + "\">\n"
                + "<meta name=\"ac-discovery-pubkeys\" content=\"localhost " + SERVER.url("/pubkeys.gpg") + "\">\n"
                + "</head></html>\n").getBytes(StandardCharsets.UTF_8));
        SERVER.put("/pubkeys.gpg", GPG.export(publisher, dir.resolve("pubkeys.gpg")));

        Path base = TestImages.busyboxWithManifest(dir, "base", manifest("localhost/base", "", ""));
        baseId = imageId(base);
        publishSigned("localhost/base", base);
        String onBase = ",\"dependencies\":[{\"imageName\":\"localhost/base\",\"imageID\":\"" + baseId + "\","
                + "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"}]}]";
        publishSigned("localhost/app", appImage(dir, "app", manifest("localhost/app", onBase, "")));
        publishSigned("localhost/slim", appImage(dir, "slim", manifest("localhost/slim", onBase,
                ",\"pathWhitelist\":[\"/bin/busybox\",\"/bin/sh\",\"/bin/ls\",\"/bin/cat\",\"/app/hello.txt\"]")));
        publish("localhost/orphan", appImage(dir, "orphan", manifest("localhost/orphan",
                ",\"dependencies\":[{\"imageName\":\"localhost/missing\"}]", "")));
        publish("localhost/loop-a", appImage(dir, "loop-a", manifest("localhost/loop-a",
                ",\"dependencies\":[{\"imageName\":\"localhost/loop-b\",\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"}]}]", "")));
        publish("localhost/loop-b", appImage(dir, "loop-b", manifest("localhost/loop-b",
                ",\"dependencies\":[{\"imageName\":\"localhost/loop-a\",\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"}]}]", "")));
    }

    private static String manifest(String name, String dependencies, String extra) {
        return "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"" + name + "\","
                + "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"},{\"name\":\"os\",\"value\":\"linux\"},"
                + "{\"name\":\"arch\",\"value\":\"amd64\"}],"
                + "\"app\":{\"exec\":[\"/bin/sh\"],\"user\":\"0\",\"group\":\"0\",\"workingDirectory\":\"/\"}"
                + dependencies + extra + "}";
    }

    /** An ACI without busybox: /etc/passwd of its own and /app/hello.txt. */
    private static Path appImage(Path dir, String fileName, String manifest) throws Exception {
        Path layout = dir.resolve(fileName + "-layout");
        Files.createDirectories(layout.resolve("rootfs/etc"));
        Files.createDirectories(layout.resolve("rootfs/app"));
        Files.writeString(layout.resolve("rootfs/etc/passwd"), "root:x:0:0:the app layer:/root:/bin/sh\n");
        Files.writeString(layout.resolve("rootfs/app/hello.txt"), "hello from the app layer\n");
        Files.writeString(layout.resolve("manifest"), manifest);
        Path aci = dir.resolve(fileName + ".aci");
        TestImages.exec(dir, TestImages.ACTOOL, "build", "--overwrite", layout.toString(), aci.toString());
        E2e.deleteTree(layout);
        return aci;
    }

    private static void publish(String name, Path aci) throws Exception {
        SERVER.put(path(name, "aci"), aci);
    }

    private static void publishSigned(String name, Path aci) throws Exception {
        publish(name, aci);
        SERVER.put(path(name, "aci.asc"), GPG.sign(publisher, aci));
    }

    private static String path(String name, String ext) {
        return TEMPLATE.replace("{name}", name).replace("{version}", "1.0").replace("{os}", "linux")
                .replace("{arch}", "amd64").replace("{ext}", ext);
    }

    /** appc: sha512- and the SHA-512 of the uncompressed tar. */
    private static String imageId(Path aci) throws Exception {
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(aci))) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha512.update(buffer, 0, n);
            }
        }
        return "sha512-" + HexFormat.of().formatHex(sha512.digest());
    }

    /** {@code bosun --dir DATA --local-config LOCAL --system-config SYSTEM args...}. */
    private BosunResult withConfig(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--local-config", local.toString(), "--system-config", system.toString()));
        all.addAll(Arrays.asList(args));
        return bosun(all.toArray(new String[0]));
    }

    private void trustPublisherByDiscovery() throws Exception {
        BosunResult trust = withConfig("trust", "--prefix=localhost", "--skip-fingerprint-review");
        assertExit(0, trust);
        assertEquals(trust.describe(), "Trusting \"" + SERVER.url("/pubkeys.gpg") + "\" for prefix \"localhost\" without"
                + " fingerprint review.\nAdded key for prefix \"localhost\" at \"" + local.resolve("trustedkeys/prefix.d/"
                + "localhost/" + publisher.toLowerCase(java.util.Locale.ROOT)) + "\"\n", trust.stdout);
    }

    private static String refusal(BosunResult r) {
        assertOneClearLine(r);
        return r.stderr;
    }

    @Test
    public void runsAnImageFoundByDiscoveryWithItsDependencyRenderedBelowIt() throws Exception {
        String untrusted = refusal(withConfig("fetch", "localhost/app:1.0"));
        assertTrue("an untrusted publisher is refused, naming the fix: " + untrusted,
                untrusted.contains("bosun trust --prefix=localhost/app"));

        trustPublisherByDiscovery();
        int before = SERVER.requests().size();
        BosunResult run = withConfig("run", FLY, "localhost/app:1.0", "--", "-c",
                "cat /app/hello.txt; head -n1 /etc/passwd; ls /bin/busybox");
        assertExit(0, run);
        assertEquals(run.describe(), "hello from the app layer\nroot:x:0:0:the app layer:/root:/bin/sh\n/bin/busybox\n",
                run.stdout);
        List<String> asked = SERVER.requests().subList(before, SERVER.requests().size());
        assertEquals("discovery asks the image's path, then its parent; then the image and the dependency it names",
                List.of("/app?ac-discovery=1", "/?ac-discovery=1", path("localhost/app", "aci.asc"),
                        path("localhost/app", "aci"), "/base?ac-discovery=1", "/?ac-discovery=1",
                        path("localhost/base", "aci.asc"), path("localhost/base", "aci")), asked);

        BosunResult again = withConfig("fetch", "--full", "localhost/app:1.0");
        assertExit(0, again);
        assertEquals("a second fetch is answered by the store", asked.size() + before, SERVER.requests().size());
        BosunResult list = withConfig("image", "list", "--format=json");
        assertExit(0, list);
        assertTrue(list.describe(), list.stdout.contains(baseId));
    }

    @Test
    @AgentModeOnly("rendering is the store's code in both modes")
    public void thePathWhitelistOfTheImageLimitsTheRenderedTree() throws Exception {
        trustPublisherByDiscovery();
        BosunResult run = withConfig("run", FLY, "localhost/slim:1.0", "--", "-c",
                "ls /bin; cat /app/hello.txt; test -e /etc/passwd || echo no passwd");
        assertExit(0, run);
        assertEquals(run.describe(), "busybox\ncat\nls\nsh\nhello from the app layer\nno passwd\n", run.stdout);
    }

    @Test
    @AgentModeOnly("fetch and verification are the format's and trust bundle's code in both modes")
    public void fetchesAnHttpsUrlAndVerifiesTheSignatureBesideIt() throws Exception {
        BosunResult trust = withConfig("trust", "--prefix=localhost/base", "--skip-fingerprint-review",
                SERVER.url("/pubkeys.gpg"));
        assertExit(0, trust);
        BosunResult fetch = withConfig("fetch", "--full", SERVER.url(path("localhost/base", "aci")));
        assertExit(0, fetch);
        assertEquals(fetch.describe(), baseId + "\n", fetch.stdout);

        String unsigned = refusal(withConfig("fetch", SERVER.url(path("localhost/orphan", "aci"))));
        assertTrue(unsigned, unsigned.contains("is not signed") && unsigned.contains("--insecure-options=image"));
    }

    @Test
    public void trustPrefixDiscoversKeysFromAnUnverifiedServerWithInsecureTlsAsFetchDoes() throws Exception {
        Files.delete(local.resolve("certs.d/test-server.pem"));
        String untrusted = refusal(withConfig("trust", "--prefix=localhost", "--skip-fingerprint-review"));
        assertTrue(untrusted, untrusted.contains("cannot talk TLS to https://localhost:" + SERVER.port()));
        BosunResult trust = withConfig("trust", "--insecure-options=tls", "--prefix=localhost",
                "--skip-fingerprint-review");
        assertExit(0, trust);
        assertTrue(trust.describe(), trust.stdout.contains("Added key for prefix \"localhost\""));
    }

    @Test
    @AgentModeOnly("discovery is the appc format's code in both modes")
    public void verifiesTheServerCertificateAndRefusesPlainHttpUnlessAllowed() throws Exception {
        Files.delete(local.resolve("certs.d/test-server.pem"));
        String url = SERVER.url(path("localhost/base", "aci"));
        String untrusted = refusal(withConfig("fetch", INSECURE, url));
        assertTrue(untrusted, untrusted.contains("cannot talk TLS to https://localhost:" + SERVER.port())
                && untrusted.contains("certs.d"));
        BosunResult insecureTls = withConfig("fetch", "--full", "--insecure-options=image,tls", url);
        assertExit(0, insecureTls);
        assertEquals(insecureTls.describe(), baseId + "\n", insecureTls.stdout);

        String plain = refusal(withConfig("fetch", INSECURE, "http://localhost:" + SERVER.port() + "/x.aci"));
        assertTrue(plain, plain.contains("plain HTTP") && plain.contains("--insecure-options=http"));
    }

    @Test
    @AgentModeOnly("dependency resolution is the appc format's code in both modes")
    public void refusesMissingAndLoopingDependenciesNamingThem() throws Exception {
        String missing = refusal(withConfig("fetch", INSECURE, "localhost/orphan:1.0"));
        assertTrue(missing, missing.contains("depends on localhost/missing") && missing.contains("does not exist"));
        String loop = refusal(withConfig("fetch", INSECURE, "localhost/loop-a:1.0"));
        assertTrue(loop, loop.contains("dependency loop: localhost/loop-a -> localhost/loop-b -> localhost/loop-a"));
        BosunResult list = withConfig("image", "list", "--format=json");
        assertExit(0, list);
        assertEquals("nothing half-fetched is listed", "[]", list.stdout.trim());
    }
}
