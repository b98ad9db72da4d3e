package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A working directory the image lacks is made as runc makes it, inside the app's root only. */
public class AppWorkingDirectoryTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aMissingDirectoryIsMadeInTheCopyWithMode0755() throws Exception {
        Path rootfs = tmp.newFolder("rootfs").toPath();
        Files.createDirectories(rootfs.resolve("var"));
        AppWorkingDirectory.make(rootfs, rootfs, "/var/lib/app/data", "web");
        Path made = rootfs.resolve("var/lib/app/data");
        assertTrue(Files.isDirectory(made, LinkOption.NOFOLLOW_LINKS));
        for (Path p : new Path[] {made, rootfs.resolve("var/lib"), rootfs.resolve("var/lib/app")}) {
            assertEquals(p.toString(), "rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        }
    }

    @Test
    public void anExistingDirectoryAndTheRootAreLeftAlone() throws Exception {
        Path rootfs = tmp.newFolder("rootfs").toPath();
        Files.createDirectories(rootfs.resolve("srv"));
        Files.setPosixFilePermissions(rootfs.resolve("srv"), PosixFilePermissions.fromString("rwx------"));
        AppWorkingDirectory.make(rootfs, rootfs, "/srv", "web");
        AppWorkingDirectory.make(rootfs, rootfs, "/", "web");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(rootfs.resolve("srv"))));
        try (Stream<Path> all = Files.list(rootfs)) {
            assertEquals(1, all.count());
        }
    }

    @Test
    public void anOverlaysDirectoryIsMadeInTheUpperLayerBelowCopiedUpParents() throws Exception {
        Path tree = tmp.newFolder("tree").toPath();
        Path upper = tmp.newFolder("upper").toPath();
        Files.createDirectories(tree.resolve("home/user"));
        Files.setPosixFilePermissions(tree.resolve("home/user"), PosixFilePermissions.fromString("rwx--x---"));
        AppWorkingDirectory.make(tree, upper, "/home/user/work", "web");
        assertTrue(Files.isDirectory(upper.resolve("home/user/work"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("the image's mode, as overlayfs copies a directory up", "rwx--x---",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(upper.resolve("home/user"))));
        assertFalse("the store's tree is never written", Files.exists(tree.resolve("home/user/work")));
    }

    @Test
    public void linksInTheImageAreFollowedInsideTheAppsRootNeverOut() throws Exception {
        Path outside = tmp.newFolder("outside").toPath();
        Path rootfs = tmp.newFolder("rootfs").toPath();
        Files.createDirectories(rootfs.resolve("data"));
        // an absolute target is the app's own /data, not the host's
        Files.createSymbolicLink(rootfs.resolve("work"), outside);
        Files.createSymbolicLink(rootfs.resolve("here"), Path.of("/data"));
        AppWorkingDirectory.make(rootfs, rootfs, "/here/x", "web");
        assertTrue(Files.isDirectory(rootfs.resolve("data/x"), LinkOption.NOFOLLOW_LINKS));
        AppWorkingDirectory.make(rootfs, rootfs, "/work/y", "web");
        assertTrue(Files.isDirectory(rootfs.resolve(outside.toString().substring(1)).resolve("y")));
        try (Stream<Path> all = Files.list(outside)) {
            assertEquals("nothing made outside the app's root", 0, all.count());
        }

        Files.createSymbolicLink(rootfs.resolve("up"), Path.of("../../.."));
        BosunException climbs = assertThrows(BosunException.class,
                () -> AppWorkingDirectory.make(rootfs, rootfs, "/up/z", "web"));
        assertEquals("working directory /up/z of app web cannot be made: it leads out of the app's root through a"
                + " symbolic link in its image; give another with --working-dir", climbs.getMessage());
    }

    @Test
    public void aFileOnThePathIsRefusedInOneLineAndNothingIsMade() throws Exception {
        Path rootfs = tmp.newFolder("rootfs").toPath();
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/:/bin/sh\n");
        BosunException e = assertThrows(BosunException.class,
                () -> AppWorkingDirectory.make(rootfs, rootfs, "/etc/passwd/x/y", "web"));
        assertEquals("working directory /etc/passwd/x/y of app web cannot be made: /etc/passwd is not a directory"
                + " in its image; give another with --working-dir", e.getMessage());
        assertTrue(Files.isRegularFile(rootfs.resolve("etc/passwd")));
    }
}
