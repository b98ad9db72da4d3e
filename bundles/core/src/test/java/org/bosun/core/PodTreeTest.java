package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.host.files.Mounts;
import org.bosun.host.files.Scratch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** The pod's own refusal; how trees are deleted (links, read-only directories) is host FileTreeTest's. */
public class PodTreeTest {
    private static final String UUID = "6f1c1a7e-0b1e-4c1e-9d7a-0c2b1f3e4a50";

    @Rule
    public final Scratch scratch = new Scratch();

    private Path pod;

    @Before
    public void layOut() throws IOException {
        pod = Files.createDirectories(scratch.root().resolve("pods/run/" + UUID));
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
