package org.bosun.api;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;

import org.junit.Test;

/** The directories an agent's services take from its framework properties (the CRI, the console, the API service). */
public class RuntimePathsTest {
    @Test
    public void theDirectoriesGivenAreTheAgentsOwn() {
        assertEquals(new RuntimePaths(Path.of("/tmp/d"), Path.of("/tmp/l"), Path.of("/tmp/s")),
                RuntimePaths.of("/tmp/d", "/tmp/l", "/tmp/s"));
    }

    @Test
    public void eachDirectoryNotGivenIsTheDefault() {
        RuntimePaths defaults = RuntimePaths.defaults();
        assertEquals(defaults, RuntimePaths.of(null, "", null));
        assertEquals(new RuntimePaths(defaults.dataDir(), Path.of("/tmp/l"), defaults.systemConfigDir()),
                RuntimePaths.of("", "/tmp/l", null));
        assertEquals(new RuntimePaths(Path.of("/tmp/d"), defaults.localConfigDir(), defaults.systemConfigDir()),
                RuntimePaths.of("/tmp/d", null, ""));
    }
}
