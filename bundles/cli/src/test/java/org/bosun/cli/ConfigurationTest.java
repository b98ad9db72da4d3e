package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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

public class ConfigurationTest {
    // Only plain files and directories are created here, so TemporaryFolder's cleanup is safe.
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path system;
    private Path local;

    @Before
    public void layOut() throws IOException {
        system = temp.newFolder("usr-lib-bosun").toPath();
        local = temp.newFolder("etc-bosun").toPath();
    }

    private static Path write(Path dir, String sub, String name, String json) throws IOException {
        Path d = Files.createDirectories(dir.resolve(sub));
        return Files.writeString(d.resolve(name), json);
    }

    private static String paths(String data) {
        return "{\"bosunKind\": \"paths\", \"bosunVersion\": \"v1\", \"data\": \"" + data + "\"}";
    }

    private static String stage1(String name) {
        return "{\"bosunKind\": \"stage1\", \"bosunVersion\": \"v1\", \"name\": \"" + name + "\"}";
    }

    private Configuration load() {
        return Configuration.load(system, local);
    }

    private BosunException refusal(Path file) {
        BosunException e = assertThrows(BosunException.class, this::load);
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue("names the file: " + e.getMessage(), e.getMessage().contains(file.toString()));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        return e;
    }

    @Test
    public void withoutFilesUsesTheBuiltInDefaults() {
        Configuration c = load();
        assertEquals(RuntimePaths.DEFAULT_DATA_DIR, c.dataDir());
        assertEquals("nspawn", c.defaultEngine());
    }

    @Test
    public void missingConfigurationDirectoriesAreFine() {
        Configuration c = Configuration.load(system.resolve("absent"), local.resolve("absent"));
        assertEquals("nspawn", c.defaultEngine());
    }

    @Test
    public void readsTheSystemConfiguration() throws IOException {
        write(system, "paths.d", "paths.json", paths("/srv/bosun"));
        write(system, "stage1.d", "fly.json", stage1("fly"));
        Configuration c = load();
        assertEquals(Path.of("/srv/bosun"), c.dataDir());
        assertEquals("fly", c.defaultEngine());
    }

    @Test
    public void localOverridesSystem() throws IOException {
        write(system, "paths.d", "paths.json", paths("/system"));
        write(local, "paths.d", "paths.json", paths("/local"));
        write(system, "stage1.d", "stage1.json", stage1("fly"));
        write(local, "stage1.d", "stage1.json", stage1("oci"));
        Configuration c = load();
        assertEquals(Path.of("/local"), c.dataDir());
        assertEquals("oci", c.defaultEngine());
    }

    @Test
    public void localOverridesFieldByFieldAndKeepsWhatItDoesNotSay() throws IOException {
        write(system, "paths.d", "paths.json", paths("/system"));
        write(local, "stage1.d", "stage1.json", stage1("fly"));
        Configuration c = load();
        assertEquals(Path.of("/system"), c.dataDir());
        assertEquals("fly", c.defaultEngine());
    }

    @Test
    public void laterFilesOfOneDirectoryOverrideEarlierOnes() throws IOException {
        write(system, "stage1.d", "10-vendor.json", stage1("fly"));
        write(system, "stage1.d", "20-site.json", stage1("kvm"));
        assertEquals("kvm", load().defaultEngine());
    }

    @Test
    public void ignoresFilesThatAreNotJson() throws IOException {
        write(system, "paths.d", "README", "not json at all");
        write(system, "paths.d", "paths.json.orig", "{");
        assertEquals(RuntimePaths.DEFAULT_DATA_DIR, load().dataDir());
    }

    @Test
    public void printsTheEffectiveConfiguration() throws IOException {
        write(local, "stage1.d", "s.json", stage1("fly"));
        String json = load().toJson(Path.of("/d")).toString();
        assertTrue(json, json.contains("\"data\":\"/d\""));
        assertTrue(json, json.contains("\"name\":\"fly\""));
    }

    @Test
    public void refusesAFileOfTheWrongKindNamingIt() throws IOException {
        Path file = write(local, "paths.d", "oops.json", stage1("fly"));
        BosunException e = refusal(file);
        assertTrue(e.getMessage(), e.getMessage().contains("'stage1'"));
    }

    @Test
    public void refusesAFileWithoutKind() throws IOException {
        Path file = write(system, "stage1.d", "nokind.json", "{\"bosunVersion\": \"v1\", \"name\": \"fly\"}");
        refusal(file);
    }

    @Test
    public void refusesBadJsonNamingTheFile() throws IOException {
        Path file = write(system, "paths.d", "broken.json", "{\"bosunKind\": \"paths\",\n \"data\": }");
        BosunException e = refusal(file);
        assertTrue(e.getMessage(), e.getMessage().contains("not valid JSON"));
    }

    @Test
    public void refusesJsonThatIsNotAnObject() throws IOException {
        Path file = write(local, "paths.d", "list.json", "[\"paths\"]");
        refusal(file);
    }

    @Test
    public void refusesAnUnknownFieldNamingTheFileAndTheField() throws IOException {
        Path file = write(local, "paths.d", "paths.json",
                "{\"bosunKind\": \"paths\", \"bosunVersion\": \"v1\", \"stage1-images\": \"/x\"}");
        BosunException e = refusal(file);
        assertTrue(e.getMessage(), e.getMessage().contains("'stage1-images'"));
    }

    @Test
    public void refusesAnotherBosunVersion() throws IOException {
        Path file = write(system, "stage1.d", "v2.json", "{\"bosunKind\": \"stage1\", \"bosunVersion\": \"v2\", \"name\": \"x\"}");
        BosunException e = refusal(file);
        assertTrue(e.getMessage(), e.getMessage().contains("v2"));
    }
}
