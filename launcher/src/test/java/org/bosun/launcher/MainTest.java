package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

public class MainTest {

    private static String command(String... args) {
        return Main.commandName(args);
    }

    @Test
    public void theFirstWordIsTheCommand() {
        assertEquals("list", command("list"));
        assertEquals("run", command("run", "./x.aci", "---", "y.aci"));
    }

    @Test
    public void skipsAGlobalOptionAndItsSeparateValue() {
        assertEquals("list", command("--dir", "/x", "list"));
        assertEquals("status", command("--local-config", "/etc/b", "--system-config", "/usr/lib/b", "status"));
        assertEquals("fetch", command("--insecure-options", "image", "fetch"));
        assertEquals("list", command("--user-config", "/u", "list"));
    }

    @Test
    public void skipsGlobalOptionsWithEqualsAndFlags() {
        assertEquals("run", command("--dir=/x", "--debug", "run"));
        assertEquals("gc", command("--insecure-options=all", "gc", "--grace-period=0"));
    }

    @Test
    public void aValueThatLooksLikeACommandIsStillTheOptionsValue() {
        assertEquals("list", command("--dir", "run", "list"));
    }

    @Test
    public void noCommandGivesNull() {
        assertNull(command());
        assertNull(command("--debug"));
        assertNull(command("--dir", "/x"));
        assertNull(command("--", "list"));
        assertNull(command("-h"));
    }

    @Test
    public void theConfigurationFoldersAreUnderTheSystemThenTheLocalConfigurationDirectory() {
        assertEquals(List.of(Path.of("/usr/lib/bosun/configurations.d"), Path.of("/etc/bosun/configurations.d")),
                Main.configurationFolders(new String[] {"list"}));
        assertEquals(List.of(Path.of("/s/configurations.d"), Path.of("/l/configurations.d")),
                Main.configurationFolders(new String[] {"--system-config=/s", "list", "--local-config", "/l"}));
    }

    @Test
    public void aGlobalOptionAfterDoubleDashIsTheApplicationsAndTheLastOneCounts() {
        assertEquals("/b", Main.globalOption(new String[] {"--local-config=/a", "run", "--local-config=/b", "x.aci",
                "--", "--local-config=/c"}, "--local-config", "/etc/bosun"));
        assertEquals("/etc/bosun", Main.globalOption(new String[] {"--local-config"}, "--local-config", "/etc/bosun"));
    }
}
