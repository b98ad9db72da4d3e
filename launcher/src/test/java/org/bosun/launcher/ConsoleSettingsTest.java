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

/** The agent's checks before it boots the web console: a password the operator set, loopback only. */
public class ConsoleSettingsTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Assembly assembly(String configuration) throws IOException {
        Path home = temp.newFolder("home").toPath();
        Files.createDirectories(home.resolve("features"));
        Files.createDirectories(home.resolve("bundles"));
        Files.writeString(home.resolve("bundles/org.apache.felix.webconsole-5.0.18.jar"), "");
        Files.writeString(home.resolve("features/console.json"), """
                {"id": "x:console:osgifeature:1", "bundles": [{"id": "org.apache.felix:org.apache.felix.webconsole:5.0.18"}],
                 "configurations": {"org.apache.felix.http": {"org.apache.felix.http.host": "127.0.0.1", "org.osgi.service.http.port": 15442}},
                 "extensions": {"bosun-launch": {"kind": "mandatory", "type": "json", "json": {"commands": ["agent"]}}}}
                """);
        Path folder = temp.newFolder("configurations.d").toPath();
        if (configuration != null) {
            Files.writeString(folder.resolve("console.json"), configuration);
        }
        return Assembly.forCommand(home, "agent", List.of(folder));
    }

    @Test
    public void noPasswordIsOneLineAndNoStart() throws IOException {
        Assembly a = assembly(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d")));
        assertTrue(e.getMessage(), e.getMessage().startsWith("the web console has no password; set \"password\" of "
                + ConsoleSettings.CONSOLE_PID + " in /etc/bosun/configurations.d/console.json (mode 0600"));
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    public void theBuiltInDefaultIsRefused() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"admin\"}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage()
                .contains("well-known default"));
    }

    @Test
    public void aPasswordAndTheConfiguredPortGoToTheFrameworkProperties() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"},"
                + " \"org.apache.felix.http\": {\"org.osgi.service.http.port\": 15999}}");
        assertEquals(Map.of(ConsoleSettings.HOST, "127.0.0.1", ConsoleSettings.PORT, "15999",
                "felix.webconsole.password", "x7"), ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d")));
    }

    @Test
    public void theConsolesUserRealmAndRootAreItsDefaultsFromTheStart() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\", \"username\": \"ops\","
                + " \"realm\": \"node 4\", \"manager.root\": \"/console\", \"category\": \"Bosun\"}}");
        Map<String, String> props = ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"));
        assertEquals("ops", props.get("felix.webconsole.username"));
        assertEquals("x7", props.get("felix.webconsole.password"));
        assertEquals("node 4", props.get("felix.webconsole.realm"));
        assertEquals("/console", props.get("felix.webconsole.manager.root"));
        assertEquals("a setting the console reads from Configuration Admin only stays there", 6, props.size());
    }

    @Test
    public void aNonLoopbackAddressIsNotImplementedWithoutTls() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"},"
                + " \"org.apache.felix.http\": {\"org.apache.felix.http.host\": \"0.0.0.0\"}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage()
                .contains("not a loopback address; not implemented"));
    }

    @Test
    public void aBadPortIsNamed() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"},"
                + " \"org.apache.felix.http\": {\"org.osgi.service.http.port\": 70000}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage()
                .contains("is not a port number"));
    }
}
