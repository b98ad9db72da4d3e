package org.bosun.cri;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;

import org.bosun.api.RuntimePaths;
import org.junit.Test;

public class CriSocketTest {
    @Test
    public void thePathsAreTheAgentsOwn() {
        RuntimePaths paths = CriSocket.dataPaths("/tmp/d", "/tmp/l", "/tmp/s");
        assertEquals(new RuntimePaths(Path.of("/tmp/d"), Path.of("/tmp/l"), Path.of("/tmp/s")), paths);
    }

    @Test
    public void eachDirectoryNotGivenIsTheDefault() {
        RuntimePaths defaults = RuntimePaths.defaults();
        assertEquals(defaults, CriSocket.dataPaths(null, "", null));
        assertEquals(new RuntimePaths(defaults.dataDir(), Path.of("/tmp/l"), defaults.systemConfigDir()),
                CriSocket.dataPaths("", "/tmp/l", null));
    }
}
