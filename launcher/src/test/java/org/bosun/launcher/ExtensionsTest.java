package org.bosun.launcher;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Which extension bundles the launcher installs after a feature's: those the data directory's index names. */
public class ExtensionsTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theIndexedJarsThatExistInIndexOrder() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Path folder = Files.createDirectories(dir.resolve("bundles"));
        Files.writeString(folder.resolve("b-1.jar"), "");
        Files.writeString(folder.resolve("a-2.jar"), "");
        Files.writeString(folder.resolve("index.json"), """
                {"bundles": [
                  {"symbolicName": "b", "version": "1", "file": "b-1.jar"},
                  {"symbolicName": "a", "version": "2", "file": "a-2.jar", "previous": {"version": "1", "file": "a-1.jar"}},
                  {"symbolicName": "gone", "version": "1", "file": "gone-1.jar"},
                  {"symbolicName": "evil", "version": "1", "file": "../evil.jar"},
                  {"symbolicName": "org.bosun.stage1.fly", "version": "9", "file": "fly-9.jar", "replaces": "bosun-stage1-fly-1.jar"},
                  {"symbolicName": "org.bosun.stage1.oci", "version": "9", "file": "oci-9.jar", "replaces": "../bosun-core-1.jar"}
                ]}
                """);
        Files.writeString(folder.resolve("fly-9.jar"), "");
        Files.writeString(folder.resolve("oci-9.jar"), "");
        assertEquals(List.of(new Extensions.Extension(folder.resolve("b-1.jar"), null),
                new Extensions.Extension(folder.resolve("a-2.jar"), null),
                new Extensions.Extension(folder.resolve("fly-9.jar"), "bosun-stage1-fly-1.jar")), Extensions.jars(dir));
    }

    @Test
    public void anUpdatedBuiltInTakesItsPlaceAndStartLevelOnlyWhereTheFeatureHasIt() throws Exception {
        Path home = tmp.newFolder("home").toPath();
        Files.createDirectories(home.resolve("features"));
        Files.createDirectories(home.resolve("bundles"));
        for (String jar : List.of("bosun-core-1.jar", "bosun-stage1-fly-1.jar", "bosun-cri-1.jar")) {
            Files.writeString(home.resolve("bundles").resolve(jar), "");
        }
        Files.writeString(home.resolve("features/run.json"), """
                {"id": "x:run:osgifeature:1", "bundles": [{"id": "org.bosun:bosun-core:1", "start-order": 3},
                 {"id": "org.bosun:bosun-stage1-fly:1", "start-order": 4}],
                 "extensions": {"bosun-launch": {"kind": "mandatory", "type": "json", "json": {"commands": ["run"]}}}}
                """);
        Path dir = tmp.newFolder("data").toPath();
        Path folder = Files.createDirectories(dir.resolve("bundles"));
        Files.writeString(folder.resolve("fly-9.jar"), "");
        Files.writeString(folder.resolve("cri-9.jar"), "");
        Files.writeString(folder.resolve("vendor-1.jar"), "");
        Files.writeString(folder.resolve("index.json"), """
                {"bundles": [
                  {"symbolicName": "org.bosun.stage1.fly", "version": "9", "file": "fly-9.jar", "replaces": "bosun-stage1-fly-1.jar"},
                  {"symbolicName": "org.bosun.cri", "version": "9", "file": "cri-9.jar", "replaces": "bosun-cri-1.jar"},
                  {"symbolicName": "com.example.vendor", "version": "1", "file": "vendor-1.jar"}
                ]}
                """);
        Assembly a = Assembly.forCommand(home, "run", List.of()).withExtensions(dir);
        assertEquals(List.of(home.resolve("bundles/bosun-core-1.jar"), folder.resolve("fly-9.jar"),
                folder.resolve("vendor-1.jar")), a.bundles().stream().map(Assembly.Bundle::file).toList());
        assertEquals(List.of(3, 4, 4), a.bundles().stream().map(Assembly.Bundle::startLevel).toList());
        assertEquals(home.resolve("bundles").toString(), a.frameworkProperties().get(Assembly.BUNDLES_DIR_PROPERTY));
    }

    @Test
    public void noIndexOrABrokenOneLoadsNothing() throws Exception {
        Path dir = tmp.getRoot().toPath();
        assertEquals(List.of(), Extensions.jars(dir));
        Files.createDirectories(dir.resolve("bundles"));
        Files.writeString(dir.resolve("bundles/index.json"), "{not json");
        assertEquals(List.of(), Extensions.jars(dir));
    }

    @Test
    public void theDataDirectoryIsDirElsePathsDLocalOverSystemElseTheDefault() throws Exception {
        Path system = tmp.newFolder("system").toPath();
        Path local = tmp.newFolder("local").toPath();
        String[] config = {"--system-config", system.toString(), "--local-config=" + local, "list"};
        assertEquals(Extensions.DEFAULT_DATA_DIR, Extensions.dataDir(config));
        Files.createDirectories(system.resolve("paths.d"));
        Files.writeString(system.resolve("paths.d/a.json"), "{\"bosunKind\": \"paths\", \"bosunVersion\": \"v1\", \"data\": \"/srv/sys\"}");
        assertEquals(Path.of("/srv/sys"), Extensions.dataDir(config));
        Files.createDirectories(local.resolve("paths.d"));
        Files.writeString(local.resolve("paths.d/z.json"), "{\"bosunKind\": \"paths\", \"bosunVersion\": \"v1\", \"data\": \"/srv/local\"}");
        assertEquals(Path.of("/srv/local"), Extensions.dataDir(config));
        String[] withDir = {"--dir=/srv/x/../given", "--system-config", system.toString(), "list"};
        assertEquals(Path.of("/srv/given"), Extensions.dataDir(withDir));
    }
}
