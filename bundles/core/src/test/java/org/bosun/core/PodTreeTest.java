package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.host.files.Mounts;
import org.bosun.host.files.Scratch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

public class PodTreeTest {
    private static final String UUID = "6f1c1a7e-0b1e-4c1e-9d7a-0c2b1f3e4a50";

    @Rule
    public final Scratch scratch = new Scratch();

    private Path pod;
    private Path outside;

    @Before
    public void layOut() throws IOException {
        pod = Files.createDirectories(scratch.root().resolve("pods/run/" + UUID));
        outside = Files.createDirectories(scratch.root().resolve("outside"));
        Files.writeString(outside.resolve("keep"), "host\n");
    }

    private void assertOutsideIntact() throws IOException {
        assertEquals("host\n", Files.readString(outside.resolve("keep")));
    }

    @Test
    public void deletesATreeWithReadOnlyDirectoriesAndFiles() throws IOException {
        Path rootfs = Files.createDirectories(pod.resolve("apps/a/rootfs/usr/bin"));
        Files.writeString(rootfs.resolve("tool"), "x");
        Files.setAttribute(rootfs.resolve("tool"), "unix:mode", 0444);
        Files.setAttribute(rootfs, "unix:mode", 0555);
        Files.setAttribute(rootfs.getParent(), "unix:mode", 0500);
        Files.setAttribute(pod.resolve("apps/a/rootfs"), "unix:mode", 0);
        Files.writeString(pod.resolve("pod"), "{}");

        PodTree.delete(pod, UUID);

        assertFalse(Files.exists(pod, LinkOption.NOFOLLOW_LINKS));
        assertTrue("the parent stays", Files.isDirectory(pod.getParent()));
    }

    @Test
    public void neverFollowsSymlinksToFilesOrDirectoriesOutside() throws IOException {
        Path rootfs = Files.createDirectories(pod.resolve("apps/a/rootfs"));
        Files.createSymbolicLink(rootfs.resolve("file"), outside.resolve("keep"));
        Files.createSymbolicLink(rootfs.resolve("dir"), outside);
        Files.createSymbolicLink(rootfs.resolve("relative"), Path.of("../../../../../outside"));
        Files.createSymbolicLink(rootfs.resolve("dangling"), Path.of("/nonexistent/bosun"));

        PodTree.delete(pod, UUID);

        assertFalse(Files.exists(pod, LinkOption.NOFOLLOW_LINKS));
        assertOutsideIntact();
    }

    @Test
    public void deletesOnlyTheLinkWhenThePodDirectoryItselfIsASymlink() throws IOException {
        Path link = pod.resolveSibling("00000000-0000-4000-8000-000000000000");
        Files.createSymbolicLink(link, outside);
        PodTree.delete(link, "00000000");
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertOutsideIntact();
    }

    @Test
    public void deletingAPodThatIsGoneIsNotAnError() {
        PodTree.delete(scratch.root().resolve("pods/run/gone"), "gone");
    }

    @Test
    public void refusesWhileATmpfsIsMountedBelowAndLeavesEverythingInPlace() throws Exception {
        Path sub = Files.createDirectories(pod.resolve("apps/a/rootfs/sub"));
        Files.writeString(pod.resolve("pod"), "{}");
        Mounts.tmpfs(sub);
        try {
            Files.writeString(sub.resolve("in-tmpfs"), "mounted");
            BosunException e = assertThrows(BosunException.class, () -> PodTree.delete(pod, UUID));
            assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains(UUID));
            assertTrue(e.getMessage(), e.getMessage().contains(sub.toString()));
            assertEquals("mounted", Files.readString(sub.resolve("in-tmpfs")));
            assertEquals("{}", Files.readString(pod.resolve("pod")));
        } finally {
            Mounts.umountIfMounted(sub);
        }
        PodTree.delete(pod, UUID);
        assertFalse("deletes once unmounted", Files.exists(pod));
    }

    @Test
    public void refusesWhenThePodDirectoryItselfIsAMountPoint() throws Exception {
        Mounts.tmpfs(pod);
        try {
            Files.writeString(pod.resolve("pod"), "{}");
            BosunException e = assertThrows(BosunException.class, () -> PodTree.delete(pod, UUID));
            assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
            assertEquals("{}", Files.readString(pod.resolve("pod")));
        } finally {
            Mounts.umountIfMounted(pod);
        }
    }

    @Test
    public void refusesAMountBelowEvenWhenThePodIsReachedThroughASymlinkedParent() throws Exception {
        Path real = Files.createDirectories(scratch.root().resolve("real/pods"));
        Path realPod = Files.createDirectories(real.resolve(UUID));
        Path sub = Files.createDirectories(realPod.resolve("sub"));
        Path link = Files.createSymbolicLink(scratch.root().resolve("link"), real);
        Mounts.tmpfs(sub);
        try {
            Files.writeString(sub.resolve("in-tmpfs"), "mounted");
            BosunException e = assertThrows(BosunException.class, () -> PodTree.delete(link.resolve(UUID), UUID));
            assertTrue("the mounted file system is untouched", Files.exists(sub.resolve("in-tmpfs")));
            assertEquals(e.getMessage(), ErrorKind.FAILED_PRECONDITION, e.kind());
        } finally {
            Mounts.umountIfMounted(sub);
        }
    }
}
