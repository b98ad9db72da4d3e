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
                    aci(), "--", "-c", "i=0; while [ $i -lt 300 ]; do echo \"console-log $i <b>&amp;\"; i=$((i+1)); sleep 1; done");
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

    /** {@code bosun image list --format=json}, parsed. */
    com.fasterxml.jackson.databind.JsonNode imageList() throws Exception {
        BosunResult r = bosun("image", "list", "--format=json");
        assertExit(0, r);
        return JSON.readTree(r.stdout);
    }

    @Test
    public void withoutAPasswordTheConsoleDoesNotStart() throws Exception {
        Process agent = consoleAgent(config("", freePort())).start();
        boolean ended = agent.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            stop(agent);
        }
        assertTrue("the agent refuses at once", ended);
        String err = Files.readString(work.resolve("console-agent.err"));
        assertEquals(4, agent.exitValue());
        assertEquals("bosun agent: the web console has no password; set \"password\" of"
                + " org.apache.felix.webconsole.internal.servlet.OsgiManager in " + work.resolve("etc/configurations.d/console.json")
                + " (mode 0600; see docs/console.md), the agent does not start it with a default\n", err);
        assertTrue("no agent socket", !Files.exists(sockets.resolve("agent.sock")));
    }
}
