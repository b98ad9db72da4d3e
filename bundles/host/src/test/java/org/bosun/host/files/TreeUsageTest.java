package org.bosun.host.files;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.app.LayerUsage;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TreeUsageTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void filesAreCountedOnceEachWithTheirDirectories() throws Exception {
        Path root = tmp.newFolder("upper").toPath();
        Files.createDirectories(root.resolve("etc"));
        Files.write(root.resolve("etc/a"), new byte[1000]);
        Files.createLink(root.resolve("b"), root.resolve("etc/a"));
        long dirs = Files.size(root) + Files.size(root.resolve("etc"));

        LayerUsage u = TreeUsage.of(root);

        assertEquals(3, u.inodesUsed());
        assertEquals(1000 + dirs, u.usedBytes());
        assertEquals(TreeUsage.mountPoint(root), u.mountpoint());
    }

    @Test
    public void aMissingLayerIsEmpty() {
        assertEquals(0, TreeUsage.of(tmp.getRoot().toPath().resolve("none")).inodesUsed());
    }
}
