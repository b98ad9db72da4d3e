package org.bosun.security.tpm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import org.bosun.host.files.FileTree;
import org.bosun.security.tpm.TcgEventLog.Bank;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class TreeDigestTest {
    private Path root;

    @Before
    public void setUp() throws Exception {
        root = Files.createTempDirectory("bosun-treedigest-");
    }

    @After
    public void tearDown() throws Exception {
        FileTree.delete(root);
    }

    private Path tree(String name, String... filesInOrder) throws Exception {
        Path t = Files.createDirectories(root.resolve(name));
        for (String f : filesInOrder) {
            Path p = t.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "content of " + f);
        }
        Files.createSymbolicLink(t.resolve("link"), Path.of("bin/sh"));
        return t;
    }

    private static byte[] digest(Path... trees) {
        return TreeDigest.of(List.of(trees), List.of(Bank.SHA256)).get(Bank.SHA256);
    }

    @Test
    public void theDigestDependsOnContentNotOnTheOrderFilesWereCreatedIn() throws Exception {
        Path a = tree("a", "bin/sh", "etc/passwd", "etc/group");
        Path b = tree("b", "etc/group", "etc/passwd", "bin/sh");
        assertArrayEquals(digest(a), digest(b));
    }

    @Test
    public void changingAFilesContentChangesTheDigest() throws Exception {
        Path a = tree("a", "bin/sh");
        byte[] before = digest(a);
        Files.writeString(a.resolve("bin/sh"), "a trojan");
        assertFalse(Arrays.equals(before, digest(a)));
    }

    @Test
    public void changingAModeChangesTheDigest() throws Exception {
        Path a = tree("a", "bin/sh");
        byte[] before = digest(a);
        Files.setPosixFilePermissions(a.resolve("bin/sh"), PosixFilePermissions.fromString("rwxr-x---"));
        assertFalse(Arrays.equals(before, digest(a)));
    }

    @Test
    public void changingAnOwnerChangesTheDigest() throws Exception {
        Path a = tree("a", "bin/sh");
        byte[] before = digest(a);
        Files.setAttribute(a.resolve("bin/sh"), "unix:uid", 1234);
        assertFalse(Arrays.equals(before, digest(a)));
    }

    @Test
    public void changingALinkTargetChangesTheDigest() throws Exception {
        Path a = tree("a", "bin/sh");
        byte[] before = digest(a);
        Files.delete(a.resolve("link"));
        Files.createSymbolicLink(a.resolve("link"), Path.of("/bin/sh"));
        assertFalse(Arrays.equals(before, digest(a)));
    }

    @Test
    public void theSameFilesSplitIntoOtherTreesGiveAnotherDigest() throws Exception {
        Path a = tree("a", "bin/sh");
        Path b = tree("b", "bin/sh");
        assertFalse(Arrays.equals(digest(a), digest(a, b)));
    }
}
