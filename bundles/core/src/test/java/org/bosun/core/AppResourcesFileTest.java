package org.bosun.core;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.app.ResourceUpdate;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AppResourcesFileTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aLaterUpdateKeepsWhatItDoesNotName() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("resources");
        assertEquals(ResourceUpdate.NONE, AppResourcesFile.read(file));
        ResourceUpdate first = new ResourceUpdate(512L, 50_000L, 100_000L, "0-1", null, 268_435_456L);
        Files.writeString(file, AppResourcesFile.text(first));
        assertEquals(first, AppResourcesFile.read(file));
        ResourceUpdate both = AppResourcesFile.read(file).then(new ResourceUpdate(256L, null, null, null, "0", null));
        assertEquals(new ResourceUpdate(256L, 50_000L, 100_000L, "0-1", "0", 268_435_456L), both);
        assertEquals("cpu-shares=256\ncpu-quota=50000\ncpu-period=100000\ncpuset-cpus=0-1\ncpuset-mems=0\n"
                + "memory-limit=268435456\n", AppResourcesFile.text(both));
    }
}
