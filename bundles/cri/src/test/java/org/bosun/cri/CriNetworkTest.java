package org.bosun.cri;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CriNetworkTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theFirstConfigFileInLexicalOrderIsTheSandboxesNetwork() throws Exception {
        Path dir = tmp.newFolder("net.d").toPath();
        CriNetwork network = new CriNetwork(dir);
        assertEquals("an empty directory: bosun's default", "default", network.choose(false));
        Files.writeString(dir.resolve("99-loopback.conf"), "{}");
        Files.writeString(dir.resolve("README"), "not a config");
        Files.writeString(dir.resolve("05-x.conflist.bak"), "not a config");
        Files.createDirectories(dir.resolve("00-dir.conflist"));
        assertEquals(dir.resolve("99-loopback.conf").toString(), network.choose(false));
        Files.writeString(dir.resolve("10-containerd-net.conflist"), "{}");
        Files.writeString(dir.resolve("10-containerd-net.json"), "{}");
        Files.writeString(dir.resolve("Z-upper.conf"), "{}");
        // byte order: digits before capitals before lower case, '.c' before '.j'
        assertEquals(dir.resolve("10-containerd-net.conflist").toString(), network.choose(false));
        assertEquals("the node's network is host whatever the directory", "host", network.choose(true));
    }

    @Test
    public void noDirectoryIsBosunsDefaultAndAFileInItsPlaceIsRefused() throws Exception {
        assertEquals("default", new CriNetwork(tmp.getRoot().toPath().resolve("absent")).choose(false));
        Path file = tmp.newFile("net.d").toPath();
        BosunException e = assertThrows(BosunException.class, () -> new CriNetwork(file).choose(false));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(file + " is not a directory")
                && e.getMessage().contains("cniConfigDirectory"));
    }
}
