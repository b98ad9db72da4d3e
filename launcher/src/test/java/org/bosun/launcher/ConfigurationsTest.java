package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ConfigurationsTest {
    private static final String SOCKET = "org.bosun.agent.CommandSocket";
    private static final String CNI = "org.bosun.cni.networks.CniNetworkProvider";

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void laterSourcesOverrideEarlierOnesKeyByKey() throws IOException {
        Path system = temp.newFolder("system").toPath();
        Path local = temp.newFolder("local").toPath();
        Files.writeString(system.resolve("10-cni.json"), "{\"" + CNI + "\": {\"pluginDirs\": [\"/sys\"], \"pluginTimeoutSeconds\": 9}}");
        Files.writeString(local.resolve("20-cni.json"), "{\"" + CNI + "\": {\"pluginDirs\": [\"/local\"]}}");
        Files.writeString(local.resolve("10-socket.json"), "{\"" + SOCKET + "\": {\"socket\": \"/run/x.sock\"}}");
        Files.writeString(local.resolve("README"), "not a configuration: only *.json files are read");
        Configurations c = new Configurations()
                .add(Map.of(CNI, Map.of("pluginTimeoutSeconds", 5L, "builtinIpamDir", "/feature")))
                .addFolder(system).addFolder(local).addFolder(temp.getRoot().toPath().resolve("missing"));
        assertEquals(Map.of("pluginTimeoutSeconds", 9L, "builtinIpamDir", "/feature", "pluginDirs", List.of("/local")),
                c.byPid().get(CNI));
        assertEquals(Map.of("socket", "/run/x.sock"), c.byPid().get(SOCKET));
        assertEquals(c.byPid(), Json.parse(c.toJson()));
    }

    @Test
    public void nothingConfiguredIsEmpty() throws IOException {
        assertTrue(new Configurations().addFolder(temp.newFolder("empty").toPath()).isEmpty());
    }

    @Test
    public void aFileThatIsNotJsonIsNamedWithWhatToDo() throws IOException {
        Path dir = temp.newFolder("d").toPath();
        Files.writeString(dir.resolve("50-bad.json"), "{\"" + SOCKET + "\": ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Configurations().addFolder(dir));
        assertTrue(e.getMessage(), e.getMessage().startsWith(dir.resolve("50-bad.json") + " is not JSON ("));
        assertTrue(e.getMessage(), e.getMessage().endsWith("); fix or remove it"));
    }

    @Test
    public void refusesWhatNoComponentConfigurationCanHoldInOneLineNamingWhere() {
        assertEquals("f.json: configuration " + SOCKET + ", key 'socket': null; a value is a string, number, boolean"
                + " or a list of one of them", refusal("{\"" + SOCKET + "\": {\"socket\": null}}"));
        assertTrue(refusal("{\"p\": {\"k\": {\"nested\": 1}}}").contains("key 'k': an object;"));
        assertTrue(refusal("{\"p\": {\"k\": [1, \"a\"]}}").contains("one type of value only"));
        assertTrue(refusal("{\"p\": {\"k\": [[1]]}}").contains("only strings, numbers or booleans"));
        assertTrue(refusal("{\"p\": {\"port:Integer\": 1}}").contains("a type suffix"));
        assertTrue(refusal("{\"p\": 1}").contains("configuration 'p' must be a non-empty PID with an object"));
        assertTrue(refusal("[]").startsWith("f.json: configurations must be an object keyed by PID"));
    }

    private static String refusal(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Configurations.section(Json.parse(json), "f.json"))
                .getMessage();
    }
}
