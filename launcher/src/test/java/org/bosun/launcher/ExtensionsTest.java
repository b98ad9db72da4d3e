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
                  {"symbolicName": "evil", "version": "1", "file": "../evil.jar"}
                ]}
                """);
        assertEquals(List.of(folder.resolve("b-1.jar"), folder.resolve("a-2.jar")), Extensions.jars(dir));
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
