package org.bosun.image.docker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** auth.d: rkt's dockerAuth files select credentials by registry; local overrides system; bad files are named. */
public class RegistryCredentialsTest {
    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private RuntimePaths paths;

    @Before
    public void paths() throws IOException {
        Path root = folder.getRoot().toPath();
        paths = new RuntimePaths(root.resolve("data"), root.resolve("local"), root.resolve("system"));
    }

    private Path write(Path configDir, String name, String json) throws IOException {
        Path file = configDir.resolve("auth.d").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
        return file;
    }

    private static String dockerAuth(String registries, String user, String password) {
        return "{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\",\"registries\":[" + registries + "],"
                + "\"credentials\":{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}}";
    }

    @Test
    public void credentialsAreSelectedByRegistryHostAndPort() throws IOException {
        write(paths.localConfigDir(), "a.json", dockerAuth("\"quay.io\", \"127.0.0.1:5000\"", "me", "secret"));
        write(paths.localConfigDir(), "b.json", dockerAuth("\"127.0.0.1:5001\"", "other", "pw"));
        RegistryCredentials credentials = RegistryCredentials.load(paths);
        assertEquals(new RegistryCredentials.Credentials("me", "secret"), credentials.forRegistry("quay.io"));
        assertEquals(new RegistryCredentials.Credentials("me", "secret"), credentials.forRegistry("127.0.0.1:5000"));
        assertEquals(new RegistryCredentials.Credentials("other", "pw"), credentials.forRegistry("127.0.0.1:5001"));
        assertNull("another port is another registry", credentials.forRegistry("127.0.0.1"));
        assertNull(credentials.forRegistry("example.com"));
    }

    @Test
    public void dockerHubCredentialsAreFoundUnderItsRegistryHosts() throws IOException {
        write(paths.localConfigDir(), "hub.json", dockerAuth("\"docker.io\"", "me", "secret"));
        RegistryCredentials credentials = RegistryCredentials.load(paths);
        assertEquals("me", credentials.forRegistry("registry-1.docker.io").user());
        assertEquals("me", credentials.forRegistry("index.docker.io").user());
    }

    @Test
    public void theLocalConfigurationOverridesTheSystemOne() throws IOException {
        write(paths.systemConfigDir(), "hub.json", dockerAuth("\"quay.io\", \"ghcr.io\"", "system", "s"));
        write(paths.localConfigDir(), "hub.json", dockerAuth("\"quay.io\"", "local", "l"));
        RegistryCredentials credentials = RegistryCredentials.load(paths);
        assertEquals("local", credentials.forRegistry("quay.io").user());
        assertEquals("system", credentials.forRegistry("ghcr.io").user());
    }

    @Test
    public void bosunsOwnKindNamesAreAcceptedAndOtherKindsAreLeftAlone() throws IOException {
        write(paths.localConfigDir(), "bosun.json", "{\"bosunKind\":\"dockerAuth\",\"bosunVersion\":\"v1\","
                + "\"registries\":[\"quay.io\"],\"credentials\":{\"user\":\"b\",\"password\":\"p\"}}");
        // rkt's appc "auth" files live in the same directory and are not registry credentials.
        write(paths.localConfigDir(), "appc.json", "{\"rktKind\":\"auth\",\"rktVersion\":\"v1\",\"domains\":[\"example.com\"],"
                + "\"type\":\"basic\",\"credentials\":{\"user\":\"x\",\"password\":\"y\"}}");
        write(paths.localConfigDir(), "notes.txt", "not a configuration file");
        RegistryCredentials credentials = RegistryCredentials.load(paths);
        assertEquals("b", credentials.forRegistry("quay.io").user());
        assertNull(credentials.forRegistry("example.com"));
    }

    @Test
    public void thePasswordNeverAppearsInTheirText() {
        assertFalse(new RegistryCredentials.Credentials("me", "hunter2").toString().contains("hunter2"));
    }

    @Test
    public void aFileWithoutRegistriesOrCredentialsIsRefusedNamingIt() throws IOException {
        Path file = write(paths.localConfigDir(), "bad.json", "{\"rktKind\":\"dockerAuth\",\"rktVersion\":\"v1\","
                + "\"registries\":[],\"credentials\":{\"user\":\"me\"}}");
        assertRefused(file, "\"registries\"");
    }

    @Test
    public void aFileThatIsNotJsonIsRefusedNamingIt() throws IOException {
        Path file = write(paths.localConfigDir(), "broken.json", "{\"rktKind\": ");
        assertRefused(file, "not valid JSON");
    }

    @Test
    public void anUnknownFieldOrVersionIsRefused() throws IOException {
        Path file = write(paths.localConfigDir(), "extra.json", dockerAuth("\"quay.io\"", "me", "pw")
                .replace("}}", "}, \"insecure\": true}"));
        assertRefused(file, "unknown field 'insecure'");
        Files.delete(file);
        Path v2 = write(paths.localConfigDir(), "v2.json", dockerAuth("\"quay.io\"", "me", "pw").replace("\"v1\"", "\"v2\""));
        assertRefused(v2, "version 'v2'");
    }

    private void assertRefused(Path file, String needle) {
        BosunException e = assertThrows(BosunException.class, () -> RegistryCredentials.load(paths));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file.toString()));
        assertTrue("expected '" + needle + "' in: " + e.getMessage(), e.getMessage().contains(needle));
    }
}
