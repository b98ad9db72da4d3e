package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Each app's /etc/mtab, laid out as rkt laid it out. */
public class AppRootfsTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void anImageWithoutMtabGetsALinkInTheUpperLayerWithTheImagesEtcMode() throws Exception {
        Path tree = tmp.newFolder("tree").toPath();
        Files.createDirectories(tree.resolve("etc"));
        Files.setPosixFilePermissions(tree.resolve("etc"), PosixFilePermissions.fromString("rwxr-x---"));
        Path upper = tmp.newFolder("upper").toPath();
        AppRootfs.linkMtab(tree, upper);
        assertEquals(Path.of("/proc/self/mounts"), Files.readSymbolicLink(upper.resolve("etc/mtab")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(upper.resolve("etc"))));
        assertFalse("the store's tree is never written", Files.exists(tree.resolve("etc/mtab"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    public void anImagesRegularMtabIsReplacedInTheAppsCopyAndItsOwnLinkIsKept() throws Exception {
        Path tree = tmp.newFolder("tree").toPath();
        Path copy = tmp.newFolder("copy").toPath();
        for (Path root : new Path[] {tree, copy}) {
            Files.createDirectories(root.resolve("etc"));
            Files.writeString(root.resolve("etc/mtab"), "/dev/sda1 / ext4 rw 0 0\n");
        }
        AppRootfs.linkMtab(tree, copy);
        assertEquals(Path.of("/proc/self/mounts"), Files.readSymbolicLink(copy.resolve("etc/mtab")));

        Path linked = tmp.newFolder("linked").toPath();
        Files.createDirectories(linked.resolve("etc"));
        Files.createSymbolicLink(linked.resolve("etc/mtab"), Path.of("/proc/mounts"));
        Path upper = tmp.newFolder("upper").toPath();
        AppRootfs.linkMtab(linked, upper);
        assertFalse(Files.exists(upper.resolve("etc"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    public void anImageWithoutEtcGetsOne() throws Exception {
        Path tree = tmp.newFolder("tree").toPath();
        Path upper = tmp.newFolder("upper").toPath();
        AppRootfs.linkMtab(tree, upper);
        assertTrue(Files.isSymbolicLink(upper.resolve("etc/mtab")));
    }
}
