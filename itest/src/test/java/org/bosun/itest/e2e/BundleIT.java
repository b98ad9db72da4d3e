package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code bosun bundle}: a real extension bundle, compiled and signed at test time (its activator
 * appends "started VERSION PID" to a marker file its manifest names), is installed, listed, loaded
 * by a later in-process command, updated live, rolled back and uninstalled with nothing left; bad
 * bundles are refused with one line and leave nothing behind. Through the agent, the bundle
 * commands act on the agent's own data directory, the one it loads extensions from.
 */
public class BundleIT extends E2eCase {
    static final BosunFixture FIXTURE = new BosunFixture();
    static final GpgHome GPG = new GpgHome();
    @ClassRule
    public static final TestRule CLASS_RULES = RuleChain.outerRule(FIXTURE).around(GPG);

    static final String NAME = "com.example.bosuntest.marker";
    static final String FLY_ENGINE = "org.bosun.stage1.fly";
    private static String signer;
    private static String stranger;
    private static Path classes;

    private Path dir;
    private Path local;
    private Path system;
    private Path marker;

    public BundleIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Before
    public void keysAndActivator() throws Exception {
        synchronized (BundleIT.class) {
            if (signer == null) {
                signer = GPG.generate("Bundle Vendor <vendor@example.com>", "ed25519");
                stranger = GPG.generate("Stranger <stranger@example.com>", "ed25519");
                classes = compileActivator(FIXTURE.root.resolve("activator"));
            }
        }
        // The agent loads the extensions of the directory it was started with; bundle commands name it.
        dir = mode == Mode.AGENT ? fixture.agentData() : data;
        local = work.resolve("local");
        system = work.resolve("system");
        marker = work.resolve("marker.log");
        BosunResult trust = in(Mode.IN_PROCESS, "trust", "--prefix=bundle/com.example", "--skip-fingerprint-review",
                GPG.export(signer, work.resolve("vendor.asc")).toString());
        assertExit(0, trust);
    }

    @After
    public void nothingLeft() throws Exception {
        // A failed test may leave its bundle installed in the agent, which outlives the test.
        if (Files.exists(dir.resolve("bundles/index.json"))
                && Files.readString(dir.resolve("bundles/index.json")).contains(NAME)) {
            in(mode, "bundle", "uninstall", NAME);
            in(Mode.IN_PROCESS, "bundle", "uninstall", NAME);
        }
        if (Files.exists(dir.resolve("bundles/index.json"))
                && Files.readString(dir.resolve("bundles/index.json")).contains(FLY_ENGINE)) {
            in(mode, "bundle", "uninstall", FLY_ENGINE);
            in(Mode.IN_PROCESS, "bundle", "uninstall", FLY_ENGINE);
        }
    }

    @Test
    public void installListUpdateRollbackAndUninstall() throws Exception {
        Path v1 = bundle("1.0.0", NAME, "org.osgi.framework", true);
        GPG.sign(signer, v1);
        BosunResult install = in(mode, "bundle", "install", v1.toString());
        assertExit(0, install);
        assertContains("install", "Installed " + NAME + " 1.0.0", install);
        assertEquals("", install.stderr);
        long installer = lastStart("1.0.0");
        if (mode == Mode.AGENT) {
            assertEquals("started in the agent", fixture.agentPid(), installer);
        }

        JsonNode listed = find(list(mode), NAME);
        assertEquals("1.0.0", listed.path("version").asText());
        assertEquals("active", listed.path("state").asText());
        assertEquals("extension", listed.path("origin").asText());
        assertEquals("org.bosun.cli is built in", "built-in", find(list(mode), "org.bosun.cli").path("origin").asText());

        // A later command without the agent loads and starts it in its own platform.
        JsonNode inProcess = find(list(Mode.IN_PROCESS), NAME);
        assertEquals("active", inProcess.path("state").asText());
        long later = lastStart("1.0.0");
        assertNotEquals("a new platform started the bundle", installer, later);

        Path v2 = bundle("2.0.0", NAME, "org.osgi.framework", true);
        GPG.sign(signer, v2);
        BosunResult update = in(mode, "bundle", "update", v2.toString());
        assertExit(0, update);
        assertContains("update", "Updated " + NAME + " from 1.0.0 to 2.0.0", update);
        long updated = lastStart("2.0.0");
        if (mode == Mode.AGENT) {
            assertEquals("updated live in the agent", fixture.agentPid(), updated);
        }
        listed = find(list(mode), NAME);
        assertEquals("2.0.0", listed.path("version").asText());
        assertEquals("active", listed.path("state").asText());
        assertEquals("1.0.0", listed.path("previousVersion").asText());

        BosunResult rollback = in(mode, "bundle", "rollback", NAME);
        assertExit(0, rollback);
        assertContains("rollback", "Rolled " + NAME + " back from 2.0.0 to 1.0.0", rollback);
        lastStart("1.0.0");
        assertEquals("1.0.0", find(list(Mode.IN_PROCESS), NAME).path("version").asText());

        BosunResult uninstall = in(mode, "bundle", "uninstall", NAME);
        assertExit(0, uninstall);
        assertContains("uninstall", "Uninstalled " + NAME + " 1.0.0", uninstall);
        assertNothingInstalled();
        for (Mode m : List.of(mode, Mode.IN_PROCESS)) {
            for (JsonNode b : list(m)) {
                assertNotEquals("listed after uninstall (" + m + ")", NAME, b.path("symbolicName").asText());
            }
        }
    }

    /**
     * One of bosun's own engines is updated to a new version while a pod of it runs, used by a
     * later pod and by a later platform, and rolled back to the built-in jar; bosun's core is not
     * swappable and is refused.
     */
    @Test
    public void aBuiltInEngineIsUpdatedWhileItsPodRunsAndRolledBack() throws Exception {
        assertExit(0, in(Mode.IN_PROCESS, "trust", "--prefix=bundle/org.bosun", "--skip-fingerprint-review",
                work.resolve("vendor.asc").toString()));
        String builtInVersion = find(list(mode), FLY_ENGINE).path("version").asText();
        Path update = withVersion(builtInJar("bosun-stage1-fly-"), "1.99.0.bundleit", work.resolve("fly-update.jar"));
        GPG.sign(signer, update);

        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess pod = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile,
                fixture.busyboxAci.toString(), "--exec=/bin/sh", "--", "-c", "sleep 120");
        assertTrue("the pod runs within 60 s", eventually(Duration.ofSeconds(60), Duration.ofMillis(200),
                () -> Files.exists(uuidFile) && states(pods()).equals(List.of("running"))));
        String uuid = Files.readString(uuidFile).trim();

        BosunResult updated = in(mode, "bundle", "update", update.toString());
        assertExit(0, updated);
        assertContains("update", "Updated " + FLY_ENGINE + " from " + builtInVersion + " to 1.99.0.bundleit", updated);
        JsonNode listed = find(list(mode), FLY_ENGINE);
        assertEquals("1.99.0.bundleit", listed.path("version").asText());
        assertEquals("updated built-in", listed.path("origin").asText());
        assertEquals("a later platform loads the update instead of the built-in", "1.99.0.bundleit",
                find(list(Mode.IN_PROCESS), FLY_ENGINE).path("version").asText());

        assertEquals("the pod from before the update is not disturbed", List.of("running"), states(pods()));
        BosunResult later = bosun("run", INSECURE, FLY, fixture.busyboxAci.toString(), "--exec=/bin/sh", "--", "-c",
                "echo on-the-update");
        assertExit(0, later);
        assertContains("a pod of the updated engine", "on-the-update", later);
        assertExit(0, bosun("stop", uuid));
        pod.await(Duration.ofSeconds(60));
        assertFalse("the pod's bosun run ends when the updated engine stops it", pod.isAlive());

        BosunResult rollback = in(mode, "bundle", "rollback", FLY_ENGINE);
        assertExit(0, rollback);
        assertContains("rollback", "Rolled " + FLY_ENGINE + " back from 1.99.0.bundleit to " + builtInVersion, rollback);
        for (Mode m : List.of(mode, Mode.IN_PROCESS)) {
            JsonNode back = find(list(m), FLY_ENGINE);
            assertEquals("built-in again (" + m + ")", builtInVersion, back.path("version").asText());
            assertEquals("built-in", back.path("origin").asText());
        }
        assertNothingInstalled();
        assertExit(0, bosun("gc", "--grace-period=0s"));

        Path core = withVersion(builtInJar("bosun-core-"), "1.99.0.bundleit", work.resolve("core-update.jar"));
        GPG.sign(signer, core);
        assertRefused("wired to", "bundle", "update", core.toString());
        assertRefused("bosun bundle update FILE", "bundle", "uninstall", FLY_ENGINE);
    }

    @Test
    public void badBundlesAreRefusedWithOneLineAndLeaveNothing() throws Exception {
        Path unsigned = bundle("1.0.0", NAME, "org.osgi.framework", true);
        assertRefused("is not signed", "bundle", "install", unsigned.toString());

        Path byStranger = bundle("1.0.0", NAME, "org.osgi.framework", true);
        GPG.sign(stranger, byStranger);
        assertRefused("bundle/com.example", "bundle", "install", byStranger.toString());

        Path unresolved = bundle("1.0.0", NAME, "org.osgi.framework,com.example.missing", false);
        assertRefused("com.example.missing", "--insecure-options=bundle", "bundle", "install", unresolved.toString());
        for (JsonNode b : list(mode)) {
            assertNotEquals("an unresolved bundle stays installed", NAME, b.path("symbolicName").asText());
        }

        assertRefused("built-in", "bundle", "uninstall", "org.bosun.cli");
        assertRefused("no extension bundle com.example.nothing", "bundle", "uninstall", "com.example.nothing");
        if (mode == Mode.AGENT) {
            // The same code refuses these before any framework change in either mode; in-process costs seconds a call.
            Path text = work.resolve("notes.jar");
            Files.writeString(text, "not a jar\n");
            assertRefused("not a jar", "--insecure-options=bundle", "bundle", "install", text.toString());

            Path noName = bundle("1.0.0", null, "org.osgi.framework", false);
            assertRefused("no Bundle-SymbolicName", "--insecure-options=bundle", "bundle", "install", noName.toString());
            Path unknown = bundle("2.0.0", "com.example.bosuntest.unknown", "org.osgi.framework", false);
            assertRefused("no extension bundle com.example.bosuntest.unknown", "--insecure-options=bundle", "bundle",
                    "update", unknown.toString());
            assertRefused("no extension bundle com.example.nothing", "bundle", "rollback", "com.example.nothing");
            assertRefused("unknown insecure option", "--insecure-options=bundles", "bundle", "install",
                    unsigned.toString());
            // The agent's framework holds the extensions of its own --dir only.
            BosunResult otherDir = call(Mode.AGENT, work, null, List.of(fixture.bin.toString(), "--dir", data.toString(),
                    "bundle", "uninstall", NAME));
            assertOneClearLine(otherDir);
            assertContains("another --dir", "loads the extension bundles of " + dir, otherDir);
        }

        // --insecure-options=bundle accepts an unsigned bundle that is otherwise fine.
        BosunResult insecure = in(mode, "--insecure-options=bundle", "bundle", "install", unsigned.toString());
        assertExit(0, insecure);
        assertExit(0, in(mode, "bundle", "uninstall", NAME));
        assertNothingInstalled();
    }

    // ------------------------------------------------------------------ helpers

    private JsonNode pods() throws Exception {
        BosunResult r = bosun("list", "--format=json");
        assertExit(0, r);
        return JSON.readTree(r.stdout);
    }

    /** The distribution's jar whose file name starts with {@code prefix}. */
    private Path builtInJar(String prefix) throws IOException {
        return builtInJar(fixture, prefix);
    }

    /** The distribution's jar whose file name starts with {@code prefix}. */
    static Path builtInJar(BosunFixture fixture, String prefix) throws IOException {
        try (Stream<Path> jars = Files.list(fixture.dist.resolve("bundles"))) {
            return jars.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + prefix + "*.jar in " + fixture.dist));
        }
    }

    /** {@code jar} with its Bundle-Version replaced, as a vendor's rebuild of it would be. */
    static Path withVersion(Path jar, String version, Path target) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar), false)) {
            Manifest manifest = in.getManifest();
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), manifest)) {
                JarEntry entry;
                while ((entry = in.getNextJarEntry()) != null) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return target;
    }

    /** {@code bosun --dir DIR --local-config LOCAL --system-config SYSTEM args...} in mode {@code m}. */
    private BosunResult in(Mode m, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(fixture.bin.toString(), "--dir", dir.toString(), "--local-config",
                local.toString(), "--system-config", system.toString()));
        cmd.addAll(Arrays.asList(args));
        return call(m, work, null, cmd);
    }

    private JsonNode list(Mode m) throws Exception {
        BosunResult r = in(m, "bundle", "list", "--format=json");
        assertExit(0, r);
        assertEquals("bundle list wrote on stderr:\n" + r.describe(), "", r.stderr);
        JsonNode array = JSON.readTree(r.stdout);
        assertTrue(r.describe(), array.isArray());
        return array;
    }

    private static JsonNode find(JsonNode bundles, String name) {
        for (JsonNode b : bundles) {
            if (name.equals(b.path("symbolicName").asText())) {
                return b;
            }
        }
        throw new AssertionError(name + " is not listed: " + bundles);
    }

    private void assertRefused(String expected, String... args) throws Exception {
        BosunResult r = in(mode, args);
        assertOneClearLine(r);
        assertContains(String.join(" ", args), expected, r);
        assertNothingInstalled();
    }

    /** No jar or temporary file in bundles/, no index entry. */
    private void assertNothingInstalled() throws IOException {
        Path folder = dir.resolve("bundles");
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<String> left = files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("index.json") && !n.equals(".lock")).toList();
            assertEquals("files left in " + folder, List.of(), left);
        }
        Path index = folder.resolve("index.json");
        if (Files.exists(index)) {
            assertEquals("index entries left", 0, JSON.readTree(index.toFile()).path("bundles").size());
        }
    }

    /** The pid of the last "started VERSION PID" line of the marker; it must be of {@code version}. */
    private long lastStart(String version) throws IOException {
        assertTrue("the activator never ran", Files.exists(marker));
        List<String> lines = Files.readAllLines(marker);
        String last = lines.get(lines.size() - 1);
        String[] words = last.split(" ");
        assertEquals("last start: " + lines, "started " + version, words[0] + " " + words[1]);
        return Long.parseLong(words[2]);
    }

    /** A bundle jar: the activator (if {@code activator}), a manifest naming the marker file. */
    private Path bundle(String version, String symbolicName, String imports, boolean activator) throws IOException {
        Path jar = Files.createTempFile(work, "bundle-" + version + "-", ".jar");
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        if (symbolicName != null) {
            a.putValue("Bundle-SymbolicName", symbolicName);
        }
        a.putValue("Bundle-Version", version);
        a.putValue("Import-Package", imports);
        a.putValue("X-Bosun-Test-Marker", marker.toString());
        if (activator) {
            a.putValue("Bundle-Activator", "com.example.bosuntest.Activator");
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(out, manifest)) {
            if (activator) {
                jos.putNextEntry(new JarEntry("com/example/bosuntest/Activator.class"));
                jos.write(Files.readAllBytes(classes.resolve("com/example/bosuntest/Activator.class")));
                jos.closeEntry();
            }
        }
        return jar;
    }

    /** Compiles the activator with the JDK's compiler against the OSGi framework API of the test class path. */
    private static Path compileActivator(Path dir) throws Exception {
        Path source = dir.resolve("src/com/example/bosuntest/Activator.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, """
                package com.example.bosuntest;

                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                import org.osgi.framework.BundleActivator;
                import org.osgi.framework.BundleContext;

                public class Activator implements BundleActivator {
                    @Override
                    public void start(BundleContext context) throws Exception {
                        String marker = context.getBundle().getHeaders().get("X-Bosun-Test-Marker");
                        Files.writeString(Path.of(marker), "started " + context.getBundle().getVersion() + " "
                                + ProcessHandle.current().pid() + "\\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }

                    @Override
                    public void stop(BundleContext context) {
                    }
                }
                """, StandardCharsets.UTF_8);
        Path out = Files.createDirectories(dir.resolve("classes"));
        String api = Path.of(org.osgi.framework.BundleActivator.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int code = javac.run(null, null, null, "--release", "17", "-classpath", api, "-d", out.toString(),
                source.toString());
        assertEquals("javac of the test activator", 0, code);
        assertFalse(Files.notExists(out.resolve("com/example/bosuntest/Activator.class")));
        return out;
    }
}
