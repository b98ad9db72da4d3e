package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The vendor SDK end to end: the example engine of {@code examples/bwrap-engine}, built by its own Maven
 * build against the SDK's BOM only (the itest pom builds it before the tests), signed by a vendor key made
 * here with gpg and trusted for {@code bundle/com.example}, is installed into the running agent, listed by
 * {@code bosun version}, runs a real pod (the app's exit code, its output on the caller's streams and in
 * {@code bosun logs}, its user), refuses app operations with the core's not-implemented error, and is
 * uninstalled with nothing of it or its pod left.
 */
public class VendorEngineIT extends E2eCase {
    static final BosunFixture FIXTURE = new BosunFixture();
    static final GpgHome GPG = new GpgHome();
    @ClassRule
    public static final TestRule CLASS_RULES = RuleChain.outerRule(FIXTURE).around(GPG);

    static final String BUNDLE = "com.example.bosun.bwrap";
    static final String ENGINE = "bwrap";

    private Path dir;
    private Path local;
    private Path system;

    public VendorEngineIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @After
    public void nothingLeft() throws Exception {
        if (dir == null) {
            return;
        }
        // A failed test may leave its pod or bundle in the agent, which outlives the test.
        if (!E2e.podDirs(dir).isEmpty()) {
            in("gc", "--grace-period=0s", "--expire-prepared=0s");
        }
        Path index = dir.resolve("bundles/index.json");
        if (Files.exists(index) && Files.readString(index).contains(BUNDLE)) {
            in("bundle", "uninstall", BUNDLE);
        }
    }

    @Test
    @AgentModeOnly("the subject is a bundle installed live into the agent; BundleIT loads extensions in-process too")
    public void exampleEngineIsInstalledRunsAPodAndIsUninstalledWithNothingLeft() throws Exception {
        Path built = Path.of(System.getProperty("bosun.example.bwrap", "examples/bwrap-engine/target/bwrap-engine-1.0.0.jar"));
        assertTrue(built + " is missing: the itest build makes it (mvn -o package in examples/bwrap-engine)",
                Files.isRegularFile(built));
        directories();

        // The vendor signs its jar; the node trusts the vendor's key for bundle/com.example.
        String vendor = GPG.generate("Example Vendor <engines@example.com>", "ed25519");
        Path jar = Files.copy(built, work.resolve("bwrap-engine-1.0.0.jar"));
        GPG.sign(vendor, jar);
        assertExit(0, call(Mode.IN_PROCESS, work, null, command("trust", "--prefix=bundle/com.example",
                "--skip-fingerprint-review", GPG.export(vendor, work.resolve("vendor.asc")).toString())));

        BosunResult install = in("bundle", "install", jar.toString());
        assertExit(0, install);
        assertContains("install", "Installed " + BUNDLE + " 1.0.0", install);

        JsonNode engine = engine(version());
        assertTrue("bosun version lists no engine bwrap: " + version(), engine != null);
        assertEquals(BUNDLE, engine.path("bundle").asText());
        assertEquals("1.0.0", engine.path("version").asText());
        assertEquals("1", engine.path("abi_version").asText());

        // A real pod: the app's user, output on both streams, exit code.
        Path uuidFile = work.resolve("pod.uuid");
        BosunResult run = in("run", INSECURE, "--stage1-name=" + ENGINE, "--uuid-file-save=" + uuidFile, aci(),
                "--user=nobody", "--group=nogroup", "--working-dir=/etc", "--environment=GREETING=hi", "--", "-c",
                "echo \"out $(id -u):$(id -g) $(pwd) $GREETING pid=$$\"; echo err >&2; exit 7");
        assertExit(7, run);
        assertTrue(run.describe(), run.stdout.contains("out 65534:65534 /etc hi pid="));
        assertTrue("the app has a pid namespace of its own (bwrap's init is pid 1): " + run.describe(),
                run.stdout.matches("(?s).*pid=[12]\n.*"));
        assertTrue(run.describe(), run.stderr.contains("err"));
        String uuid = Files.readString(uuidFile).trim();

        JsonNode status = json(in("status", "--format=json", uuid));
        assertEquals(status.toString(), "exited", status.path("state").asText());
        assertEquals("the exit code the engine recorded", 7, status.path("apps").path(0).path("exit_code").asInt());
        assertEquals(status.toString(), ENGINE, status.path("stage1").path("name").asText());
        BosunResult logs = in("logs", uuid);
        assertExit(0, logs);
        assertTrue("bosun logs: " + logs.describe(), logs.stdout.contains("out 65534:65534 /etc hi"));
        assertTrue("bosun logs: " + logs.describe(), logs.stdout.contains("err"));

        // App-level operations: the engine has none, so the core answers not implemented (exit 8).
        BosunResult sandbox = in("app", "sandbox", "--stage1-name=" + ENGINE);
        assertOneClearLine(sandbox);
        assertExit(8, sandbox);
        assertContains("app sandbox", "stage1 engine 'bwrap' has no app operations", sandbox);

        assertExit(0, in("rm", uuid));
        assertEquals("pods left in " + dir, List.of(), E2e.podDirs(dir));

        BosunResult uninstall = in("bundle", "uninstall", BUNDLE);
        assertExit(0, uninstall);
        assertContains("uninstall", "Uninstalled " + BUNDLE + " 1.0.0", uninstall);
        assertEquals("bosun version still lists bwrap", null, engine(version()));
        BosunResult gone = in("run", INSECURE, "--stage1-name=" + ENGINE, aci(), "--", "-c", "exit 0");
        assertOneClearLine(gone);
        assertContains("run after uninstall", ENGINE, gone);
        assertNothingLeft();
    }

    /** The example unsigned: refused with one line, then accepted with --insecure-options=bundle, listed, removed. */
    @Test
    public void unsignedExampleIsRefusedUnlessInsecureOptionsBundle() throws Exception {
        directories();
        Path jar = Files.copy(Path.of(System.getProperty("bosun.example.bwrap",
                "examples/bwrap-engine/target/bwrap-engine-1.0.0.jar")), work.resolve("bwrap-engine-1.0.0.jar"));
        BosunResult unsigned = in("bundle", "install", jar.toString());
        assertOneClearLine(unsigned);
        assertContains("unsigned install", "--insecure-options=bundle", unsigned);
        assertNothingLeft();

        BosunResult insecure = in("--insecure-options=bundle", "bundle", "install", jar.toString());
        assertExit(0, insecure);
        assertContains("insecure install", "Installed " + BUNDLE + " 1.0.0", insecure);
        JsonNode engine = engine(version());
        assertTrue("bosun version lists no engine bwrap", engine != null);
        assertEquals(BUNDLE, engine.path("bundle").asText());
        assertExit(0, in("bundle", "uninstall", BUNDLE));
        assertEquals("bosun version still lists bwrap", null, engine(version()));
        assertNothingLeft();
    }

    // ------------------------------------------------------------------ helpers

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(fixture.bin.toString(), "--dir", dir.toString(), "--local-config",
                local.toString(), "--system-config", system.toString()));
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** {@code bosun --dir DIR ... args} in the test's mode (through the agent: DIR is the agent's). */
    private BosunResult in(String... args) throws Exception {
        return call(mode, work, null, command(args));
    }

    private JsonNode version() throws Exception {
        return json(in("version", "--format=json"));
    }

    private void directories() {
        // Through the agent, bundle commands act on the agent's data directory, the one it loads extensions from.
        dir = mode == Mode.AGENT ? fixture.agentData() : data;
        local = work.resolve("local");
        system = work.resolve("system");
    }

    private static JsonNode json(BosunResult r) throws IOException {
        assertExit(0, r);
        return JSON.readTree(r.stdout);
    }

    private static JsonNode engine(JsonNode version) {
        for (JsonNode e : version.path("stage1_engines")) {
            if (ENGINE.equals(e.path("name").asText())) {
                return e;
            }
        }
        return null;
    }

    /** No jar of the bundle, no index entry, no pod, no process or mount under the agent's data directory. */
    private void assertNothingLeft() throws IOException {
        Path folder = dir.resolve("bundles");
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                List<String> left = files.map(p -> p.getFileName().toString())
                        .filter(n -> !n.equals("index.json") && !n.equals(".lock")).toList();
                assertEquals("files left in " + folder, List.of(), left);
            }
            Path index = folder.resolve("index.json");
            if (Files.exists(index)) {
                assertFalse("index entry left", Files.readString(index).contains(BUNDLE));
            }
        }
        assertEquals("pods left", List.of(), E2e.podDirs(dir));
        assertEquals("processes left under " + dir, List.of(), E2e.processesUnder(dir));
        assertEquals("mounts left under " + dir, List.of(), E2e.mountsUnder(dir));
    }
}
