package org.bosun.extensions;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The index of a data directory's extension bundles, which the launcher reads too. */
public class ExtensionIndexTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aDirectoryWithoutIndexHasNoExtensions() {
        assertEquals(List.of(), ExtensionIndex.read(tmp.getRoot().toPath()).entries());
    }

    @Test
    public void entriesSurviveAWriteAndARead() throws Exception {
        Path dir = tmp.getRoot().toPath();
        ExtensionIndex.Entry a = new ExtensionIndex.Entry("com.example.a", new ExtensionIndex.Jar("2.0.0",
                "com.example.a-2.0.0.jar"), new ExtensionIndex.Jar("1.0.0", "com.example.a-1.0.0.jar"));
        ExtensionIndex.Entry b = new ExtensionIndex.Entry("com.example.b", new ExtensionIndex.Jar("1.0.0",
                "com.example.b-1.0.0.jar"), null);
        ExtensionIndex.Entry fly = new ExtensionIndex.Entry("org.bosun.stage1.fly", new ExtensionIndex.Jar("1.2.0",
                "org.bosun.stage1.fly-1.2.0.jar"), null, "bosun-stage1-fly-1.1.0.jar");
        ExtensionIndex.read(dir).with(a).with(b).with(fly).write();
        ExtensionIndex read = ExtensionIndex.read(dir);
        assertEquals(List.of(a, b, fly), read.entries());
        assertTrue(read.find("org.bosun.stage1.fly").get().updatesBuiltIn());
        assertFalse(read.find("com.example.a").get().updatesBuiltIn());
        read = read.without("org.bosun.stage1.fly");
        assertEquals(dir.resolve("bundles/com.example.a-2.0.0.jar"), read.jar(a.current()));
        read.without("com.example.a").write();
        assertEquals(List.of(b), ExtensionIndex.read(dir).entries());
        try (var files = Files.list(dir.resolve("bundles"))) {
            assertFalse("no temporary file is left", files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    public void withReplacesTheEntryOfTheSameName() {
        ExtensionIndex index = ExtensionIndex.read(tmp.getRoot().toPath())
                .with(new ExtensionIndex.Entry("x", new ExtensionIndex.Jar("1", "x-1.jar"), null))
                .with(new ExtensionIndex.Entry("x", new ExtensionIndex.Jar("2", "x-2.jar"), null));
        assertEquals(1, index.entries().size());
        assertEquals("2", index.find("x").get().current().version());
    }

    @Test
    public void refusesAnIndexWhoseFileNamesLeaveTheFolder() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Files.createDirectories(dir.resolve("bundles"));
        Files.writeString(dir.resolve("bundles/index.json"),
                "{\"bundles\": [{\"symbolicName\": \"x\", \"version\": \"1\", \"file\": \"../../etc/x.jar\"}]}");
        BosunException e = assertThrows(BosunException.class, () -> ExtensionIndex.read(dir));
        assertTrue(e.getMessage(), e.getMessage().contains("fix or remove it"));
        Files.writeString(dir.resolve("bundles/index.json"), "{\"bundles\": [{\"symbolicName\": \"x\", \"version\": \"1\","
                + " \"file\": \"x-1.jar\", \"replaces\": \"../lib/x.jar\"}]}");
        e = assertThrows(BosunException.class, () -> ExtensionIndex.read(dir));
        assertTrue(e.getMessage(), e.getMessage().contains("\"replaces\" is not a plain file name"));
    }

    @Test
    public void onlyTheProvidersOfExtensionPointsAreSwappableBuiltIns() {
        for (String name : List.of("org.bosun.stage1.fly", "org.bosun.stage1.oci", "org.bosun.image.docker",
                "org.bosun.cni.networks", "org.bosun.security.seccomp")) {
            assertTrue(name, ExtensionBundles.swappable(name));
        }
        for (String name : List.of("org.bosun.core", "org.bosun.api", "org.bosun.cli", "org.bosun.agent",
                "org.bosun.cni.api", "org.bosun.store", "org.bosun.trust", "com.example.stage1.x")) {
            assertFalse(name, ExtensionBundles.swappable(name));
        }
    }
}
