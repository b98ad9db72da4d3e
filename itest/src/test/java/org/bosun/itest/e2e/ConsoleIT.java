package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runners.Parameterized.Parameters;

/**
 * {@code bosun agent --feature=console}: the Felix web console with bosun's pages, driven in Debian's
 * headless chromium by playwright-core (itest/browser, installed there by scripts/install). A console
 * agent of the test's own serves the test's data directory on a free loopback port; the pod is run by
 * the CLI, seen on the Pods page, and stopped with the pod page's Stop button; another pod's app (nspawn, which
 * keeps its apps' output) writes a line a second, which its page shows as it comes; the Networks page lists
 * the built-in default network; {@code bosun status} then
 * says it exited. The Images page removes an image the test fetched; the Events page shows its removal
 * live; a prepared pod is removed and the stopped one collected from the Pods page. Screenshots stay in
 * target/console-screenshots.
 */
public class ConsoleIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();
    @ClassRule
    public static final GpgHome GPG = new GpgHome();
    static final String FLY_ENGINE = "org.bosun.stage1.fly";
    /** The example vendor engine's bundle (examples/bwrap-engine). */
    static final String VENDOR_BUNDLE = "com.example.bosun.bwrap";

    static final Path BROWSER = Path.of(System.getProperty("user.dir"), "browser");
    static final String USER = "admin";
    static final String PASSWORD = "console-it-" + Long.toHexString(System.nanoTime());

    @Parameters(name = "{0}")
    public static Collection<Object[]> modes() {
        return java.util.Collections.singletonList(new Object[] {Mode.AGENT});
    }

    public ConsoleIT(Mode mode) {
        super(FIXTURE, mode);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A local configuration directory with the console's settings (the CRI and metadata service off: the fixture's agent has them). */
    Path config(String consoleProperties, int port) throws IOException {
        Path dir = Files.createDirectories(work.resolve("etc/configurations.d"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path file = dir.resolve("console.json");
        Files.writeString(file, "{\"org.apache.felix.webconsole.internal.servlet.OsgiManager\": {" + consoleProperties + "},\n"
                + " \"org.apache.felix.http\": {\"org.osgi.service.http.port\": " + port + "},\n"
                + " \"org.bosun.cri.CriSocket\": {\"enabled\": false},\n"
                + " \"org.bosun.metadata.MetadataService\": {\"enabled\": false}}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return dir.getParent();
    }

    /** A short directory for the console agent's sockets (a unix socket's path has at most 107 bytes). */
    Path sockets;

    @org.junit.Before
    public void socketDirectory() throws IOException {
        sockets = Files.createTempDirectory("bosun-ca");
    }

    @org.junit.After
    public void removeSocketDirectory() throws IOException {
        List<String> left = E2e.entries(sockets);
        E2e.deleteTree(sockets);
        assertEquals("the console agent left sockets behind", List.of(), left);
    }

    ProcessBuilder consoleAgent(Path etc) {
        ProcessBuilder pb = new ProcessBuilder(fixture.bin.toString(), "--dir=" + data, "--local-config=" + etc, "agent",
                "--feature=console", "--socket=" + sockets.resolve("agent.sock"))
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(work.resolve("console-agent.out").toFile())
                .redirectError(work.resolve("console-agent.err").toFile());
        pb.environment().remove("BOSUN_AGENT");
        pb.environment().remove("BOSUN_AGENT_SOCKET");
        pb.environment().put("BOSUN_CACHE_DIR", work.resolve("cache").toString());
        return pb;
    }

    /** Characters of the console agent's standard error written before its console answered. */
    long startupOutput;

    static int status(String url, String password) throws IOException {
        return status(url, USER, password);
    }

    static int status(String url, String user, String password) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(30000);
        return status(c, user, password);
    }

    /** The status of a GET on {@code c}, with basic credentials unless {@code password} is null. */
    static int status(HttpURLConnection c, String user, String password) throws IOException {
        if (password != null) {
            c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    /** The status, or -1 while nothing listens yet. */
    static int answers(String url, String password) {
        return answers(url, USER, password);
    }

    static int answers(String url, String user, String password) {
        try {
            return status(url, user, password);
        } catch (IOException e) {
            return -1;
        }
    }

    void stop(Process agent) throws InterruptedException {
        List<ProcessHandle> children = new ArrayList<>(agent.descendants().toList());
        agent.destroy();
        if (!agent.waitFor(20, TimeUnit.SECONDS)) {
            agent.destroyForcibly();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** The pod whose log the page shows, and its bosun run, until the test stops it. */
    String logPod;
    BosunProcess logRun;

    @Test
    public void aPodIsSeenAndStoppedInTheBrowser() throws Exception {
        assertTrue("playwright-core is not installed in " + BROWSER + "; run scripts/install (npm ci there)",
                Files.isDirectory(BROWSER.resolve("node_modules/playwright-core")));
        int port = freePort();
        Process agent = consoleAgent(config("\"password\": \"" + PASSWORD + "\"", port)).start();
        try {
            String console = "http://127.0.0.1:" + port + "/system/console";
            // While it starts, the console must never take its built-in admin/admin: its first registration
            // already has the operator's password (it re-registers when Configuration Admin delivers it).
            List<Integer> builtIn = new ArrayList<>();
            boolean up = eventually(Duration.ofSeconds(90), Duration.ofMillis(100), () -> {
                builtIn.add(answers(console + "/bundles", "admin", "admin"));
                return !agent.isAlive() || answers(console + "/bosun-pods", PASSWORD) == 200;
            });
            assertTrue("the console answers within 90 s; agent output:\n"
                    + Files.readString(work.resolve("console-agent.err")), up && agent.isAlive());
            assertTrue("admin/admin was let in while the console started: " + builtIn, !builtIn.contains(200));
            // The console re-registers its servlet once when its configuration arrives; a probe in that instant
            // is logged as an exception. What is checked for exceptions below is what the pages logged.
            startupOutput = Files.size(work.resolve("console-agent.err"));
            assertEquals("no credentials, no console", 401, status(console + "/bundles", null));

            Path uuidFile = work.resolve("pod.uuid");
            BosunProcess run = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--", "-c",
                    "sleep 120");
            assertTrue("the pod runs within 60 s", eventually(Duration.ofSeconds(60), Duration.ofMillis(200),
                    () -> Files.exists(uuidFile) && states(list()).equals(List.of("running"))));
            String uuid = Files.readString(uuidFile).trim();
            // A pod whose app writes a numbered line a second, with markup in it (shown as text, never markup).
            Path logUuidFile = work.resolve("log-pod.uuid");
            logRun = startBosun("run", INSECURE, "--stage1-name=nspawn", "--net=none", "--uuid-file-save=" + logUuidFile,
                    "--volume=console-scratch,kind=empty", aci(), "--mount", "volume=console-scratch,target=/scratch", "--", "-c", "i=0; while [ $i -lt 300 ]; do echo \"console-log $i <b>&amp;\"; i=$((i+1)); sleep 1; done");
            assertTrue("the log pod runs within 60 s", eventually(Duration.ofSeconds(60), Duration.ofMillis(200),
                    () -> Files.exists(logUuidFile) && states(list()).equals(List.of("running", "running"))));
            logPod = Files.readString(logUuidFile).trim();

            // A prepared pod (the Pods page removes it) and an image no pod uses (the Images page removes it).
            BosunResult prepare = bosun("prepare", INSECURE, FLY, aci());
            assertExit(0, prepare);
            String prepared = uuidIn(prepare);
            String unusedName = "example.com/console-unused-" + Long.toHexString(System.nanoTime());
            Path unusedAci = TestImages.busyboxWithManifest(work, "console-unused", "{\"acKind\":\"ImageManifest\","
                    + "\"acVersion\":\"0.8.11\",\"name\":\"" + unusedName + "\",\"labels\":[{\"name\":\"version\","
                    + "\"value\":\"1.0\"},{\"name\":\"os\",\"value\":\"linux\"},{\"name\":\"arch\",\"value\":\"amd64\"}],"
                    + "\"app\":{\"exec\":[\"/bin/sh\"],\"user\":\"0\",\"group\":\"0\"}}");
            BosunResult fetch = bosun("fetch", INSECURE, "--full", unusedAci.toString());
            assertExit(0, fetch);
            String unusedId = fetch.stdout.trim();
            String usedId = null;
            for (com.fasterxml.jackson.databind.JsonNode image : imageList()) {
                if (!image.path("id").asText().equals(unusedId)) {
                    usedId = image.path("id").asText();
                }
            }
            assertTrue("the pods' image is in the store: " + imageList(), usedId != null);
            // what the CLI says to removing the pods' image, which the page must say too
            BosunResult inUse = bosun("image", "rm", usedId);
            assertExit(5, inUse);
            String inUseError = inUse.stderr.trim().replaceFirst("^bosun image rm: ", "");

            Path shots = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target/console-screenshots"));
            ProcessBuilder node = new ProcessBuilder("node", BROWSER.resolve("console-test.mjs").toString())
                    .directory(BROWSER.toFile()).redirectErrorStream(true);
            node.environment().put("CONSOLE_URL", console);
            node.environment().put("CONSOLE_USER", USER);
            node.environment().put("CONSOLE_PASSWORD", PASSWORD);
            node.environment().put("POD_UUID", uuid);
            node.environment().put("PREPARED_UUID", prepared);
            node.environment().put("LOG_POD_UUID", logPod);
            node.environment().put("IMAGE_USED_ID", usedId);
            node.environment().put("IMAGE_UNUSED_ID", unusedId);
            node.environment().put("SCREENSHOTS", shots.toString());
            Process browser = node.start();
            String out = new String(browser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue("the browser test ends within 120 s", browser.waitFor(120, TimeUnit.SECONDS));
            assertEquals("browser test:\n" + out, 0, browser.exitValue());
            List<String> lines = out.lines().toList();
            assertTrue(out, lines.contains("wrong-password-status: 401"));
            assertTrue(out, lines.contains("pods-page-status: 200"));
            assertTrue(out, lines.contains("pods-page-state: running"));
            // a pod's app's log lines on its page, live, as text
            assertTrue(out, lines.contains("log-pod-page-status: 200"));
            assertTrue(out, lines.stream().anyMatch(l -> l.matches("log-pod-app: \\S+")));
            assertTrue(out, lines.contains("log-pod-first-lines: yes"));
            assertTrue(out, lines.contains("log-pod-live: yes after 0 navigations"));
            assertTrue(out, lines.contains("log-pod-markup-in-log: 0"));
            // its volumes and its manifest, as bosun cat-manifest gives it
            assertTrue(out, lines.contains("log-pod-volume: console-scratch | empty |  | no"));
            assertTrue(out, lines.contains("log-pod-manifest: PodManifest, 1 apps, volume console-scratch"));
            assertTrue(out, lines.contains("log-json: 200 json has lines"));
            assertTrue(out, lines.contains("log-json-unknown-pod: 404 error"));
            assertTrue(out, lines.contains("fly-pod-logs-status: no output kept: its engine 'fly' does not supervise its"
                    + " apps, which write straight to the stdout and stderr of the bosun run that started them"));
            assertTrue(out, lines.contains("log-pod-status: the last 50 lines of each app, read at T (live)"));
            // the networks --net= can name: the built-in default one first when net.d has none
            assertTrue(out, lines.contains("networks-page-status: 200"));
            assertTrue(out, lines.contains("network: default | built-in | ptp, portmap | cni"));
            assertTrue(out, lines.contains("engines-page-status: 200"));
            assertTrue(out, lines.contains("engine: fly active"));
            assertTrue(out, lines.contains("stop-message: stopped " + uuid));
            assertTrue(out, lines.contains("forged-post-status: 403"));
            // Images: the image imported by the test, as bosun image list shows it; Remove in use refused as by the CLI
            assertTrue(out, lines.contains("images-page-status: 200"));
            assertTrue(out, lines.contains("images-page-unused-name: " + unusedName + ":1.0"));
            assertTrue(out, lines.stream().anyMatch(l -> l.matches("images-page-unused-imported: \\d+ (second|minute)s? ago")));
            assertTrue(out, lines.contains("images-page-used-shown: 1"));
            assertTrue(out, lines.contains("image-rm-used-message: " + inUseError));
            assertTrue(out, lines.contains("image-rm-unused-message: removed image " + unusedId));
            assertTrue(out, lines.contains("images-page-unused-after-rm: 0"));
            assertTrue(out, lines.contains("images-page-used-after-rm: 1"));
            assertTrue(out, lines.contains("forged-image-post-status: 403"));
            // Events: the journal's events, and the image's removal appears on the open page by itself
            assertTrue(out, lines.contains("events-page-status: 200"));
            assertTrue(out, lines.stream().anyMatch(l -> l.startsWith("events-page-fetched-details: ") && l.contains(unusedName)));
            assertTrue(out, lines.contains("events-page-removed-before: 0"));
            assertTrue(out, lines.contains("events-page-pod-started: yes"));
            assertTrue(out, lines.contains("events-page-removed-live: 1 after 0 navigations"));
            assertEquals("bosun image list after the page's Remove", List.of(usedId),
                    imageList().findValuesAsText("id"));
            // Pods: the prepared pod removed from its page; gc from the list marks the stopped pod
            assertTrue(out, lines.contains("prepared-pod-state: prepared"));
            assertTrue(out, lines.contains("pod-rm-message: removed " + prepared));
            assertTrue(out, lines.contains("pods-page-prepared-after-rm: 0"));
            assertTrue(out, lines.contains("pod-state-after-stop: exited"));
            assertTrue(out, lines.contains("pod-rm-shown-after-stop: 1"));
            assertTrue(out, lines.contains("gc-message: moving pod " + uuid + " to garbage"));
            assertTrue(out, lines.contains("pods-page-state-after-gc: exited garbage"));
            BosunResult gone = bosun("status", prepared);
            assertTrue("bosun status of the pod the page removed:\n" + gone.describe(), gone.exitCode != 0);

            run.await(Duration.ofSeconds(30)); // bosun run ends with its pod
            BosunResult status = bosun("status", uuid);
            assertExit(0, status);
            assertTrue("bosun status after the console's Stop and gc:\n" + status.describe(),
                    status.stdout.lines().anyMatch(l -> l.equals("state=exited garbage")));
            assertExit(0, bosun("stop", logPod));
            logRun.await(Duration.ofSeconds(60));
            logRun = null;
        } finally {
            if (logRun != null && logPod != null) {
                bosun("stop", "--force", logPod);
            }
            stop(agent);
        }
        byte[] err = Files.readAllBytes(work.resolve("console-agent.err"));
        String pagesOutput = new String(err, (int) startupOutput, err.length - (int) startupOutput, StandardCharsets.UTF_8);
        assertTrue("the console agent's output has no exception after its start:\n" + pagesOutput,
                !pagesOutput.contains("Exception"));
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
    }

    /**
     * The swap of a provider's bundle from the console: the fly engine's bundle updated from the Engines page
     * (an uploaded jar and its signature, then a URL) while a fly pod runs, which keeps running with the same
     * pid; each rolled back from the page; an unsigned jar refused with the message {@code bosun bundle update}
     * gives. A vendor's engine (examples/bwrap-engine, signed by a key trusted for {@code bundle/com.example})
     * installed from the Install form is listed with Uninstall, runs a pod through the console's agent, and is
     * uninstalled from its row with nothing of it left. The Image formats and Security modules pages list their
     * providers.
     */
    @Test
    public void theFlyBundleIsSwappedFromTheEnginesPageWhileAFlyPodRuns() throws Exception {
        assertTrue("playwright-core is not installed in " + BROWSER + "; run scripts/install (npm ci there)",
                Files.isDirectory(BROWSER.resolve("node_modules/playwright-core")));
        int port = freePort();
        Path etc = config("\"password\": \"" + PASSWORD + "\"", port);
        // The key that signs the update, trusted for bosun's own bundles in the console agent's configuration.
        String signer = GPG.generate("Bundle Vendor <vendor@example.com>", "ed25519");
        assertExit(0, call(Mode.IN_PROCESS, work, null, List.of(fixture.bin.toString(), "--dir", data.toString(),
                "--local-config", etc.toString(), "trust", "--prefix=bundle/org.bosun", "--skip-fingerprint-review",
                GPG.export(signer, work.resolve("vendor.asc")).toString())));
        Path builtIn = BundleIT.builtInJar(fixture, "bosun-stage1-fly-");
        Path update = BundleIT.withVersion(builtIn, "1.99.0.consoleit", work.resolve("fly-update.jar"));
        Path signature = GPG.sign(signer, update);
        Path served = Files.createDirectories(work.resolve("served"));
        Path byUrl = BundleIT.withVersion(builtIn, "1.98.0.consoleit", served.resolve("fly-url.jar"));
        GPG.sign(signer, byUrl);
        // The vendor's engine, signed by the vendor's own key, trusted for bundle/com.example only.
        Path vendorBuilt = Path.of(System.getProperty("bosun.example.bwrap",
                "../examples/bwrap-engine/target/bwrap-engine-1.0.0.jar"));
        assertTrue(vendorBuilt + " is missing: the itest build makes it", Files.isRegularFile(vendorBuilt));
        Path vendorJar = Files.copy(vendorBuilt, Files.createDirectories(work.resolve("vendor")).resolve("bwrap-engine-1.0.0.jar"));
        String vendor = GPG.generate("Example Vendor <engines@example.com>", "ed25519");
        Path vendorSignature = GPG.sign(vendor, vendorJar);
        assertExit(0, call(Mode.IN_PROCESS, work, null, List.of(fixture.bin.toString(), "--dir", data.toString(),
                "--local-config", etc.toString(), "trust", "--prefix=bundle/com.example", "--skip-fingerprint-review",
                GPG.export(vendor, work.resolve("example-vendor.asc")).toString())));
        Path unsigned = BundleIT.withVersion(builtIn, "1.97.0.consoleit",
                Files.createDirectories(work.resolve("unsigned")).resolve("fly-unsigned.jar"));
        // What the CLI says to the unsigned jar (the directory aside), which the page must say too.
        BosunResult cliUnsigned = call(Mode.IN_PROCESS, work, null, List.of(fixture.bin.toString(), "--dir",
                data.toString(), "--local-config", etc.toString(), "bundle", "update", unsigned.toString()));
        assertExit(5, cliUnsigned);
        String unsignedError = cliUnsigned.stderr.trim().replaceFirst("^bosun bundle update: ", "")
                .replace(unsigned.getParent() + "/", "DIR/");
        assertTrue(unsignedError, unsignedError.contains("is not signed"));

        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Path file = served.resolve(exchange.getRequestURI().getPath().substring(1));
            if (!file.getParent().equals(served) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, Files.size(file));
                try (var body = exchange.getResponseBody()) {
                    Files.copy(file, body);
                }
            }
            exchange.close();
        });
        // An ACI served at about 25 MB/s, so that the Images page's fetch shows its bar between empty and full.
        Path large = fixture.largeAci();
        server.createContext("/slow/large.aci", exchange -> {
            exchange.sendResponseHeaders(200, Files.size(large));
            try (var body = exchange.getResponseBody(); var in = Files.newInputStream(large)) {
                byte[] chunk = new byte[256 * 1024];
                for (int n; (n = in.read(chunk)) > 0; ) {
                    body.write(chunk, 0, n);
                    body.flush();
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        Process agent = consoleAgent(etc).start();
        BosunProcess run = null;
        try {
            String console = "http://127.0.0.1:" + port + "/system/console";
            boolean up = eventually(Duration.ofSeconds(90), Duration.ofMillis(200),
                    () -> !agent.isAlive() || answers(console + "/bosun-engines", PASSWORD) == 200);
            assertTrue("the console answers within 90 s; agent output:\n"
                    + Files.readString(work.resolve("console-agent.err")), up && agent.isAlive());
            startupOutput = Files.size(work.resolve("console-agent.err"));

            Path uuidFile = work.resolve("pod.uuid");
            run = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--", "-c", "sleep 120");
            assertTrue("the pod runs within 60 s", eventually(Duration.ofSeconds(60), Duration.ofMillis(200),
                    () -> Files.exists(uuidFile) && states(list()).equals(List.of("running"))));
            String uuid = Files.readString(uuidFile).trim();
            String pidBefore = pid(uuid);
            String builtInVersion = manifestVersion(builtIn);

            Path shots = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target/console-screenshots"));
            ProcessBuilder node = new ProcessBuilder("node", BROWSER.resolve("console-swap.mjs").toString())
                    .directory(BROWSER.toFile()).redirectErrorStream(true);
            node.environment().put("CONSOLE_URL", console);
            node.environment().put("CONSOLE_USER", USER);
            node.environment().put("CONSOLE_PASSWORD", PASSWORD);
            node.environment().put("POD_UUID", uuid);
            node.environment().put("UPDATE_JAR", update.toString());
            node.environment().put("UPDATE_SIGNATURE", signature.toString());
            node.environment().put("UPDATE_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/fly-url.jar");
            node.environment().put("UNSIGNED_JAR", unsigned.toString());
            node.environment().put("INSTALL_JAR", vendorJar.toString());
            node.environment().put("INSTALL_SIGNATURE", vendorSignature.toString());
            node.environment().put("INSTALL_BUNDLE", VENDOR_BUNDLE);
            Path installedChecked = work.resolve("installed-checked");
            node.environment().put("INSTALLED_CHECKED", installedChecked.toString());
            node.environment().put("FETCH_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/slow/large.aci");
            node.environment().put("SCREENSHOTS", shots.toString());
            Process browser = node.start();
            // Up to "installed: ready", then a pod on the engine the page installed, through the console's agent.
            StringBuilder output = new StringBuilder();
            BosunResult vendorPod = null;
            try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(
                    browser.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.equals("installed: ready")) {
                        List<String> viaConsoleAgent = List.of("env", "BOSUN_AGENT=connect", "BOSUN_AGENT_SOCKET="
                                + sockets.resolve("agent.sock"), fixture.bin.toString(), "--dir", data.toString());
                        Path vendorUuid = work.resolve("vendor-pod.uuid");
                        vendorPod = call(Mode.IN_PROCESS, work, null, concat(viaConsoleAgent, "run", INSECURE,
                                "--stage1-name=bwrap", "--net=none", "--uuid-file-save=" + vendorUuid, aci(), "--", "-c",
                                "echo hello from the installed engine; exit 3"));
                        // removed while its engine is there, as a user must (gc needs the pod's engine)
                        if (Files.exists(vendorUuid)) {
                            assertExit(0, call(Mode.IN_PROCESS, work, null, concat(viaConsoleAgent, "rm",
                                    Files.readString(vendorUuid).trim())));
                        }
                        Files.createFile(installedChecked);
                    }
                }
            }
            String out = output.toString();
            assertTrue("the browser test ends within 120 s", browser.waitFor(120, TimeUnit.SECONDS));
            assertEquals("browser test:\n" + out, 0, browser.exitValue());
            List<String> lines = out.lines().toList();
            String where = " in the agent)";
            assertTrue(out, lines.contains("engines-page-status: 200"));
            assertTrue(out, lines.contains("fly-version-before: " + builtInVersion));
            assertTrue(out, lines.contains("fly-state-before: active"));
            assertTrue(out, lines.stream().anyMatch(l -> l.matches("update-message: Updated " + FLY_ENGINE.replace(".", "\\.")
                    + " from " + builtInVersion.replace(".", "\\.") + " to 1\\.99\\.0\\.consoleit \\(bundle \\d+, \\w+"
                    + where.replace(".", "\\.").replace(")", "\\)"))));
            assertTrue(out, lines.contains("fly-version-after-update: 1.99.0.consoleit"));
            assertTrue(out, lines.contains("fly-origin-after-update: updated built-in"));
            assertTrue(out, lines.contains("pod-state-after-update: running"));
            assertTrue(out, lines.stream().anyMatch(l -> l.startsWith("rollback-message: Rolled " + FLY_ENGINE
                    + " back from 1.99.0.consoleit to " + builtInVersion + " (bundle ") && l.endsWith(where)));
            assertTrue(out, lines.contains("fly-version-after-rollback: " + builtInVersion));
            assertTrue(out, lines.contains("rollback-shown-after-rollback: 0"));
            assertTrue(out, lines.stream().anyMatch(l -> l.startsWith("url-update-message: Updated " + FLY_ENGINE
                    + " from " + builtInVersion + " to 1.98.0.consoleit (bundle ")));
            assertTrue(out, lines.contains("fly-version-after-url-update: 1.98.0.consoleit"));
            assertTrue(out, lines.stream().anyMatch(l -> l.startsWith("url-rollback-message: Rolled " + FLY_ENGINE
                    + " back from 1.98.0.consoleit to " + builtInVersion)));
            assertTrue(out, lines.contains("pod-state-after-swaps: running"));
            String pageUnsigned = lines.stream().filter(l -> l.startsWith("unsigned-message: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(out)).substring("unsigned-message: ".length())
                    .replaceAll("bundle /\\S*/bosun-console-upload-[^/]+/", "bundle DIR/");
            assertEquals("the page refuses the unsigned jar as the CLI does", "error: " + unsignedError, pageUnsigned);
            assertTrue(out, lines.contains("fly-version-after-unsigned: " + builtInVersion));
            assertTrue(out, lines.contains("image-format-page-status: 200"));
            assertTrue(out, lines.stream().anyMatch(l -> l.matches("image-format: appc \\| org\\.bosun\\.image\\.appc \\| \\S+ \\| \\d* \\| active")));
            assertTrue(out, lines.contains("image-format-update-form: 1"));
            assertTrue(out, lines.contains("security-module-page-status: 200"));
            assertTrue(out, lines.stream().anyMatch(l -> l.matches("security-module: \\S+ \\| org\\.bosun\\.security\\.capabilities \\| .*")));
            assertTrue(out, lines.contains("security-module-update-form: 1"));
            assertTrue(out, lines.contains("forged-rollback-status: 403"));
            assertTrue(out, lines.stream().anyMatch(l -> l.startsWith("install-message: Installed " + VENDOR_BUNDLE
                    + " 1.0.0 (bundle ") && l.endsWith(where)));
            assertTrue(out, lines.stream().anyMatch(l -> l.matches("installed-row: bwrap \\| "
                    + VENDOR_BUNDLE.replace(".", "\\.") + " \\| 1\\.0\\.0 \\| 1 \\| active \\| extension")));
            assertTrue(out, lines.contains("uninstall-shown: 1"));
            assertTrue("bosun's own bundles roll back, not uninstall: " + out, lines.contains("uninstall-shown-for-fly: 0"));
            assertTrue("a pod ran on the installed engine:\n" + out, vendorPod != null);
            assertExit(3, vendorPod);
            assertTrue(vendorPod.describe(), vendorPod.stdout.contains("hello from the installed engine"));
            assertTrue(out, lines.stream().anyMatch(l -> l.startsWith("uninstall-message: Uninstalled " + VENDOR_BUNDLE
                    + " 1.0.0 (from the agent and ")));
            assertTrue(out, lines.contains("row-after-uninstall: 0"));
            assertTrue(out, lines.stream().anyMatch(l -> l.matches("fetch-message: fetching http://127\\.0\\.0\\.1:\\d+"
                    + "/slow/large\\.aci \\(fetch \\d+\\); its progress is below")));
            assertTrue("the page showed the download between empty and full: " + out,
                    lines.stream().anyMatch(l -> l.matches("fetch-progress-seen: \\d+/\\d+")));
            assertTrue(out, lines.contains("fetch-row-state: done"));
            String fetchedId = lines.stream().filter(l -> l.startsWith("fetch-outcome: fetched sha512-")).findFirst()
                    .orElseThrow(() -> new AssertionError(out)).substring("fetch-outcome: fetched ".length());
            assertTrue(out, lines.contains("fetched-image-listed: 1"));
            assertTrue("fetched with --insecure-options=image: " + out, lines.contains("fetched-image-signer: not verified"));
            assertTrue("the store has the fetched image: " + imageList(), imageList().toString().contains(fetchedId));

            // the pod was never disturbed: the same process, still running, through every swap
            assertEquals("the pod's pid after the swaps", pidBefore, pid(uuid));
            assertEquals(List.of("running"), states(list()));
            assertTrue("no update or extension is left in the data directory",
                    !Files.exists(data.resolve("bundles/index.json"))
                            || !Files.readString(data.resolve("bundles/index.json")).contains(FLY_ENGINE)
                            && !Files.readString(data.resolve("bundles/index.json")).contains(VENDOR_BUNDLE));
            assertExit(0, bosun("stop", uuid));
            run.await(Duration.ofSeconds(60));
            run = null;
        } finally {
            if (run != null && Files.exists(work.resolve("pod.uuid"))) {
                bosun("stop", "--force", Files.readString(work.resolve("pod.uuid")).trim());
            }
            stop(agent);
            server.stop(0);
        }
        byte[] err = Files.readAllBytes(work.resolve("console-agent.err"));
        String pagesOutput = new String(err, (int) startupOutput, err.length - (int) startupOutput, StandardCharsets.UTF_8);
        assertTrue("the console agent's output has no exception after its start:\n" + pagesOutput,
                !pagesOutput.contains("Exception"));
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    /** The pod's {@code pid=} as {@code bosun status} prints it. */
    String pid(String uuid) throws Exception {
        BosunResult status = bosun("status", uuid);
        assertExit(0, status);
        return status.stdout.lines().filter(l -> l.startsWith("pid=")).findFirst()
                .orElseThrow(() -> new AssertionError("no pid in\n" + status.describe()));
    }

    static String manifestVersion(Path jar) throws IOException {
        try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile())) {
            return org.osgi.framework.Version.parseVersion(j.getManifest().getMainAttributes().getValue("Bundle-Version"))
                    .toString();
        }
    }

    /** {@code bosun image list --format=json}, parsed. */
    com.fasterxml.jackson.databind.JsonNode imageList() throws Exception {
        BosunResult r = bosun("image", "list", "--format=json");
        assertExit(0, r);
        return JSON.readTree(r.stdout);
    }

    /** The console agent's standard error so far. */
    String agentErr() throws IOException {
        return Files.readString(work.resolve("console-agent.err"));
    }

    @Test
    public void withoutAPasswordTheFirstStartGeneratesOne() throws Exception {
        int port = freePort();
        Path etc = config("", port);
        Process agent = consoleAgent(etc).start();
        try {
            Path plain = data.resolve("console/initial-admin-password");
            Path hashed = etc.resolve("configurations.d/console-password.json");
            String line = "bosun agent: the web console had no password; generated one (its hash is in " + hashed
                    + "): read it from " + plain + " and delete that file";
            String console = "http://127.0.0.1:" + port + "/system/console";
            assertTrue("the agent names the file; its output:\n" + agentErr(), eventually(Duration.ofSeconds(60),
                    Duration.ofMillis(100), () -> !agent.isAlive() || agentErr().lines().anyMatch(line::equals)) && agent.isAlive());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plain.getParent())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(hashed)));
            String password = Files.readString(plain).strip();
            assertTrue(password, password.matches("[A-Za-z0-9]{24}"));
            String config = Files.readString(hashed);
            assertTrue("the configuration holds the hash only: " + config, !config.contains(password)
                    && config.matches("(?s).*\"password\":\"\\{sha-256\\}[0-9a-f]{16}-1000-[A-Za-z0-9+/=]{44}\".*"));
            boolean up = eventually(Duration.ofSeconds(90), Duration.ofMillis(200),
                    () -> !agent.isAlive() || answers(console + "/bosun-pods", password) == 200);
            assertTrue("the console lets the generated password in within 90 s; agent output:\n" + agentErr(), up && agent.isAlive());
            assertEquals("admin/admin", 401, status(console + "/bosun-pods", "admin", "admin"));
            assertEquals("a wrong password", 401, status(console + "/bosun-pods", password.substring(1)));
            assertTrue("the password is in no log", !agentErr().contains(password)
                    && !Files.readString(work.resolve("console-agent.out")).contains(password));
        } finally {
            stop(agent);
        }
        // Started again, it keeps that password and says nothing of one.
        String before = Files.readString(data.resolve("console/initial-admin-password"));
        Process again = consoleAgent(etc).start();
        try {
            String password = before.strip();
            assertTrue("the console answers again; agent output:\n" + agentErr(), eventually(Duration.ofSeconds(90),
                    Duration.ofMillis(200), () -> !again.isAlive() || answers("http://127.0.0.1:" + port
                            + "/system/console/bosun-pods", password) == 200) && again.isAlive());
            assertTrue(agentErr(), !agentErr().contains("generated"));
            assertEquals(before, Files.readString(data.resolve("console/initial-admin-password")));
        } finally {
            stop(again);
        }
    }

    /** A configurations.d with the console's password and {@code http} as the HTTP service's settings. */
    Path httpConfig(String http) throws IOException {
        Path dir = Files.createDirectories(work.resolve("etc/configurations.d"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path file = dir.resolve("console.json");
        Files.writeString(file, "{\"org.apache.felix.webconsole.internal.servlet.OsgiManager\": {\"password\": \"" + PASSWORD + "\"},\n"
                + " \"org.apache.felix.http\": {" + http + "},\n"
                + " \"org.bosun.cri.CriSocket\": {\"enabled\": false},\n"
                + " \"org.bosun.metadata.MetadataService\": {\"enabled\": false}}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return dir.getParent();
    }

    /** The agent with {@code etc} refuses at once: exit code 4 and {@code line} as its only output. */
    void refused(Path etc, String line) throws Exception {
        Process agent = consoleAgent(etc).start();
        boolean ended = agent.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            stop(agent);
        }
        assertTrue("the agent refuses at once", ended);
        assertEquals(line + "\n", agentErr());
        assertEquals(4, agent.exitValue());
        assertTrue("no agent socket", !Files.exists(sockets.resolve("agent.sock")));
    }

    /** An HTTPS GET trusting the keystore's own certificate (and checking the host name against it). */
    static int httpsStatus(String url, Path keystore, String storePassword, String password) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            ks.load(in, storePassword.toCharArray());
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        javax.net.ssl.HttpsURLConnection c = (javax.net.ssl.HttpsURLConnection) URI.create(url).toURL().openConnection();
        c.setSSLSocketFactory(tls.getSocketFactory());
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        return status(c, USER, password);
    }

    @Test
    public void withTlsTheConsoleServesHttpsOnly() throws Exception {
        // A self-signed key for 127.0.0.1, made with the JDK's keytool.
        Path keystore = work.resolve("console.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "ks-" + PASSWORD,
                "-alias", "console", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2").redirectErrorStream(true).start();
        String made = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(made, 0, keytool.waitFor());
        int port = freePort();
        int httpPort = freePort();
        String tls = "\"org.osgi.service.http.port\": " + httpPort + ", \"org.osgi.service.http.port.secure\": " + port
                + ", \"org.apache.felix.https.enable\": true, \"org.apache.felix.https.keystore\": \"" + keystore
                + "\", \"org.apache.felix.https.keystore.password\": ";
        // Without TLS, no other address than loopback; a keystore that does not open, not at all.
        refused(httpConfig("\"org.apache.felix.http.host\": \"0.0.0.0\", \"org.osgi.service.http.port\": " + port),
                "bosun agent: the web console's address 0.0.0.0 (org.apache.felix.http.host of org.apache.felix.http) is not"
                + " a loopback address, and the console serves other addresses only with TLS: set org.apache.felix.https.enable"
                + " and a keystore (see docs/console.md)");
        refused(httpConfig(tls + "\"wrong\""), "bosun agent: the web console's keystore " + keystore + " does not open with"
                + " its password (org.apache.felix.https.keystore.password of org.apache.felix.http): wrong password");
        refused(httpConfig(tls.replace(keystore.toString(), work.resolve("none.p12").toString()) + "\"ks-" + PASSWORD + "\""),
                "bosun agent: the web console's keystore " + work.resolve("none.p12") + " (org.apache.felix.https.keystore of"
                + " org.apache.felix.http) does not exist");
        for (String host : List.of("127.0.0.1", "0.0.0.0")) {
            Files.deleteIfExists(work.resolve("console-agent.err"));
            Process agent = consoleAgent(httpConfig(tls + "\"ks-" + PASSWORD + "\", \"org.apache.felix.http.host\": \"" + host + "\"")).start();
            try {
                String console = "https://127.0.0.1:" + port + "/system/console";
                boolean up = eventually(Duration.ofSeconds(90), Duration.ofMillis(200), () -> {
                    try {
                        return !agent.isAlive() || httpsStatus(console + "/bosun-pods", keystore, "ks-" + PASSWORD, PASSWORD) == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
                assertTrue("the console on " + host + " answers over TLS within 90 s; agent output:\n" + agentErr(), up && agent.isAlive());
                assertEquals("no credentials", 401, httpsStatus(console + "/bosun-pods", keystore, "ks-" + PASSWORD, null));
                assertEquals("plain HTTP is not served on " + httpPort, -1, answers("http://127.0.0.1:" + httpPort
                        + "/system/console/bosun-pods", PASSWORD));
                int plainOnTls = answers("http://127.0.0.1:" + port + "/system/console/bosun-pods", PASSWORD);
                assertTrue("plain HTTP on the TLS port gets no page: " + plainOnTls, plainOnTls != 200 && plainOnTls != 401);
            } finally {
                stop(agent);
            }
        }
    }
}
