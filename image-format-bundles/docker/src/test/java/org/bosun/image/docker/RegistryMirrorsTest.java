package org.bosun.image.docker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** mirrors.d: mirrors per registry, in the order given, local overriding system; bad URLs are named. */
public class RegistryMirrorsTest {
    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private RuntimePaths paths;

    @Before
    public void paths() throws IOException {
        Path root = folder.getRoot().toPath();
        paths = new RuntimePaths(root.resolve("data"), root.resolve("local"), root.resolve("system"));
    }

    private Path write(Path configDir, String name, String registry, String mirrors) throws IOException {
        Path file = configDir.resolve("mirrors.d").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"bosunKind\":\"registryMirror\",\"bosunVersion\":\"v1\",\"registry\":\"" + registry
                + "\",\"mirrors\":[" + mirrors + "]}");
        return file;
    }

    @Test
    public void aRegistryHasItsMirrorsInOrderWithoutTrailingSlashes() throws IOException {
        write(paths.localConfigDir(), "hub.json", "docker.io", "\"https://mirror-a.example.com/\", \"http://10.0.0.1:5000\"");
        RegistryMirrors mirrors = RegistryMirrors.load(paths);
        assertEquals(List.of(URI.create("https://mirror-a.example.com"), URI.create("http://10.0.0.1:5000")),
                mirrors.forRegistry("docker.io"));
        assertEquals("other registries have none", List.of(), mirrors.forRegistry("quay.io"));
    }

    @Test
    public void noDirectoryMeansNoMirrors() {
        assertEquals(List.of(), RegistryMirrors.load(paths).forRegistry("docker.io"));
    }

    @Test
    public void theLocalConfigurationReplacesTheSystemMirrorsOfARegistry() throws IOException {
        write(paths.systemConfigDir(), "hub.json", "docker.io", "\"https://system-mirror\"");
        write(paths.systemConfigDir(), "quay.json", "quay.io", "\"https://quay-mirror\"");
        write(paths.localConfigDir(), "hub.json", "docker.io", "\"https://local-mirror\"");
        RegistryMirrors mirrors = RegistryMirrors.load(paths);
        assertEquals(List.of(URI.create("https://local-mirror")), mirrors.forRegistry("docker.io"));
        assertEquals(List.of(URI.create("https://quay-mirror")), mirrors.forRegistry("quay.io"));
    }

    @Test
    public void aMirrorThatIsNoHttpUrlIsRefusedNamingTheFile() throws IOException {
        Path file = write(paths.localConfigDir(), "bad.json", "docker.io", "\"ftp://mirror\"");
        assertRefused(file, "'ftp://mirror'");
    }

    @Test
    public void aMirrorThatIsNoUrlAtAllIsRefusedNamingTheFile() throws IOException {
        Path file = write(paths.localConfigDir(), "bad.json", "docker.io", "\"https://bad host/\"");
        assertRefused(file, "'https://bad host/'");
    }

    @Test
    public void aFileWithoutARegistryIsRefused() throws IOException {
        Path file = paths.localConfigDir().resolve("mirrors.d/none.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"bosunKind\":\"registryMirror\",\"bosunVersion\":\"v1\",\"mirrors\":[]}");
        assertRefused(file, "'registry'");
    }

    private void assertRefused(Path file, String needle) {
        BosunException e = assertThrows(BosunException.class, () -> RegistryMirrors.load(paths));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file.toString()));
        assertTrue("expected '" + needle + "' in: " + e.getMessage(), e.getMessage().contains(needle));
    }
}
