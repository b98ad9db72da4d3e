package org.bosun.host.files;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

public class FileTreeTest {
    @Rule
    public final Scratch scratch = new Scratch();

    private Path tree;
    private Path outside;

    @Before
    public void layOut() throws IOException {
        tree = Files.createDirectories(scratch.root().resolve("pods/run/tree"));
        outside = Files.createDirectories(scratch.root().resolve("outside"));
        Files.writeString(outside.resolve("keep"), "host\n");
    }

    private void assertOutsideIntact() throws IOException {
        assertEquals("host\n", Files.readString(outside.resolve("keep")));
    }

    @Test
    public void deletesATreeWithReadOnlyAndPermissionlessDirectoriesAndCountsItsBytes() throws IOException {
        Path bin = Files.createDirectories(tree.resolve("rootfs/usr/bin"));
        Files.writeString(bin.resolve("tool"), "12345");
        Files.setAttribute(bin.resolve("tool"), "unix:mode", 0444);
        Files.setAttribute(bin, "unix:mode", 0555);
        Files.setAttribute(bin.getParent(), "unix:mode", 0500);
        Files.setAttribute(tree.resolve("rootfs"), "unix:mode", 0);
        Files.writeString(tree.resolve("pod"), "{}");
        Files.createSymbolicLink(tree.resolve("link"), Path.of("pod"));

        assertEquals("the regular files' bytes", 7, FileTree.delete(tree));

        assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
        assertTrue("the parent stays", Files.isDirectory(tree.getParent()));
    }

    @Test
    public void neverFollowsSymlinksToFilesOrDirectoriesOutside() throws IOException {
        Path rootfs = Files.createDirectories(tree.resolve("apps/a/rootfs"));
        Files.createSymbolicLink(rootfs.resolve("file"), outside.resolve("keep"));
        Files.createSymbolicLink(rootfs.resolve("dir"), outside);
        Files.createSymbolicLink(rootfs.resolve("relative"), Path.of("../../../../../outside"));
        Files.createSymbolicLink(rootfs.resolve("dangling"), Path.of("/nonexistent/bosun"));

        FileTree.delete(tree);

        assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
        assertOutsideIntact();
    }

    @Test
    public void deletesOnlyTheLinkWhenTheTreeItselfIsASymlink() throws IOException {
        Path link = tree.resolveSibling("link");
        Files.createSymbolicLink(link, outside);
        assertEquals(0, FileTree.delete(link));
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertOutsideIntact();
    }

    @Test
    public void deletesAPlainFileAndWhatIsGoneIsNoError() throws IOException {
        Path file = Files.writeString(scratch.root().resolve("file"), "abc");
        assertEquals(3, FileTree.delete(file));
        assertFalse(Files.exists(file));
        assertEquals(0, FileTree.delete(file));
        assertEquals(0, FileTree.delete(scratch.root().resolve("no/such/parent/tree")));
    }

    @Test
    public void deletesATreeTooDeepForARecursiveWalk() throws IOException {
        Path dir = tree;
        for (int i = 0; i < 1500; i++) {
            dir = dir.resolve("d");
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bottom"), "x");
        FileTree.delete(tree);
        assertFalse(Files.exists(tree));
    }

    @Test
    public void refusesWhileATmpfsIsMountedBelowAndLeavesEverythingInPlace() throws Exception {
        Path sub = Files.createDirectories(tree.resolve("apps/a/rootfs/sub"));
        Files.writeString(tree.resolve("pod"), "{}");
        Mounts.tmpfs(sub);
        try {
            Files.writeString(sub.resolve("in-tmpfs"), "mounted");
            MountedBelowException e = assertThrows(MountedBelowException.class, () -> FileTree.delete(tree));
            assertEquals(List.of(sub), e.mounts());
            assertTrue(e.getMessage(), e.getMessage().contains(sub.toString()));
            assertTrue(e.getMessage(), e.getMessage().contains("umount -R " + sub));
            assertFalse(e.getMessage().contains("\n"));
            assertEquals("mounted", Files.readString(sub.resolve("in-tmpfs")));
            assertEquals("{}", Files.readString(tree.resolve("pod")));
            assertFalse("the quiet form refuses too", FileTree.deleteQuietly(tree));
            assertEquals("mounted", Files.readString(sub.resolve("in-tmpfs")));
        } finally {
            Mounts.umountIfMounted(sub);
        }
        assertTrue(FileTree.deleteQuietly(tree));
        assertFalse("deletes once unmounted", Files.exists(tree));
    }

    @Test
    public void refusesWhenTheTreeItselfIsAMountPoint() throws Exception {
        Mounts.tmpfs(tree);
        try {
            Files.writeString(tree.resolve("pod"), "{}");
            assertThrows(MountedBelowException.class, () -> FileTree.delete(tree));
            assertEquals("{}", Files.readString(tree.resolve("pod")));
        } finally {
            Mounts.umountIfMounted(tree);
        }
    }

    @Test
    public void refusesAMountBelowEvenWhenTheTreeIsReachedThroughASymlinkedParent() throws Exception {
        Path real = Files.createDirectories(scratch.root().resolve("real/pods"));
        Path sub = Files.createDirectories(real.resolve("tree/sub"));
        Path link = Files.createSymbolicLink(scratch.root().resolve("link"), real);
        Mounts.tmpfs(sub);
        try {
            Files.writeString(sub.resolve("in-tmpfs"), "mounted");
            assertThrows(MountedBelowException.class, () -> FileTree.delete(link.resolve("tree")));
            assertTrue("the mounted file system is untouched", Files.exists(sub.resolve("in-tmpfs")));
        } finally {
            Mounts.umountIfMounted(sub);
        }
    }

    @Test
    public void mountPointsWithSpacesInTheirNamesAreFound() throws Exception {
        Path spaced = Files.createDirectories(tree.resolve("a dir\twith blanks"));
        Mounts.tmpfs(spaced);
        try {
            assertEquals(List.of(spaced), MountPoints.under(tree));
            assertEquals(List.of(), MountPoints.under(outside));
        } finally {
            Mounts.umountIfMounted(spaced);
        }
    }
}
