package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.host.files.FileTree;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** issue 12 item 10: the app's command is checked in the image's tree at prepare, as the app will see it. */
public class ImageExecutablesCheckTest {
    private Path tree;

    @Before
    public void makeTree() throws IOException {
        tree = Files.createTempDirectory("bosun-app-executable-");
        Files.createDirectories(tree.resolve("bin"));
        Files.createDirectories(tree.resolve("usr/bin"));
        Path busybox = Files.writeString(tree.resolve("bin/busybox"), "#!/bin/busybox\n");
        Files.setPosixFilePermissions(busybox, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(tree.resolve("bin/sh"), Path.of("busybox"));
        Files.createSymbolicLink(tree.resolve("usr/bin/env"), Path.of("/bin/busybox"));
        Files.createSymbolicLink(tree.resolve("bin/host-shell"), Path.of("/usr/bin/sh"));
        Files.createSymbolicLink(tree.resolve("bin/passwd"), Path.of("/etc/passwd"));
        Files.writeString(tree.resolve("bin/plain"), "not executable\n");
    }

    @After
    public void removeTree() {
        FileTree.deleteQuietly(tree);
    }

    @Test
    public void acceptsAnExecutableFileReachedThroughLinksInsideTheTree() {
        for (String command : List.of("/bin/busybox", "/bin/sh", "/usr/bin/env", "/usr/bin/../../bin/sh")) {
            ImageExecutables.check(tree, command, List.of(), "app", "example.com/busybox");
        }
    }

    @Test
    public void refusesAMissingCommandNamingThePathAndTheImage() {
        assertRefused("/nonexistent", "the command /nonexistent of app app does not exist in image example.com/busybox");
    }

    /** The host has /usr/bin/sh and /etc/passwd; the links lead there only inside the tree, where nothing is. */
    @Test
    public void followsAbsoluteLinksInsideTheTreeOnly() {
        assertRefused("/bin/host-shell", "does not exist in image");
        assertRefused("/bin/passwd", "does not exist in image");
    }

    @Test
    public void refusesADirectoryAndAFileWithoutExecuteBits() {
        assertRefused("/usr/bin", "is not a file in image");
        assertRefused("/bin/plain", "is not executable in image");
    }

    @Test
    public void leavesACommandInAVolumeToTheEngine() {
        ImageExecutables.check(tree, "/data/run.sh", List.of("/data"), "app", "example.com/busybox");
        ImageExecutables.check(tree, "/data/", List.of("/data/"), "app", "example.com/busybox");
    }

    private void assertRefused(String command, String message) {
        BosunException e = assertThrows(command, BosunException.class,
                () -> ImageExecutables.check(tree, command, List.of("/data"), "app", "example.com/busybox"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(message));
    }
}
