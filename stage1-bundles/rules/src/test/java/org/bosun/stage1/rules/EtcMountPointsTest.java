package org.bosun.stage1.rules;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EtcMountPointsTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path pod() throws IOException {
        Path pod = tmp.getRoot().toPath().resolve("pod");
        Files.createDirectories(pod.resolve("etc"));
        for (String file : List.of("resolv.conf", "hosts", "hostname")) {
            Files.writeString(pod.resolve("etc").resolve(file), "# " + file + "\n");
        }
        return pod;
    }

    private static PodDirectory.App overlayApp(Path pod, Path image) throws IOException {
        Path app = pod.resolve("apps/web");
        Files.createDirectories(app.resolve("upper"));
        Files.createDirectories(app.resolve("work"));
        Files.createDirectories(app.resolve("rootfs"));
        return new PodDirectory.App("web", app.resolve("rootfs"), List.of("/bin/true"), Map.of(), 0, 0, "/", null, null,
                false, null, null, List.of(image), app.resolve("upper"), app.resolve("work"), null);
    }

    private static PodDirectory podDirectory(Path pod, PodDirectory.App app, Path etcDir) {
        return new PodDirectory("1234", pod, List.of(app), Map.of(),
                new PodDirectory.Pod(null, null, etcDir, false, null, null));
    }

    /** A store tree: read-only to the test, as the store keeps it. */
    private Path image(String... etcFiles) throws IOException {
        Path image = tmp.newFolder("tree").toPath();
        Files.createDirectories(image.resolve("etc"));
        Files.setPosixFilePermissions(image.resolve("etc"), PosixFilePermissions.fromString("rwxr-x---"));
        for (String f : etcFiles) {
            Files.writeString(image.resolve("etc").resolve(f), "image's " + f + "\n");
        }
        return image;
    }

    @Test
    public void missingMountPointsAreMadeInTheUpperLayerNeverInTheImageTree() throws Exception {
        Path pod = pod();
        Path image = image("passwd");
        PodDirectory.App app = overlayApp(pod, image);
        EtcMountPoints.prepare(podDirectory(pod, app, pod.resolve("etc")));
        for (String file : List.of("resolv.conf", "hosts", "hostname")) {
            assertTrue(file, Files.isRegularFile(app.upperDir().resolve("etc").resolve(file), LinkOption.NOFOLLOW_LINKS));
            assertFalse(file + " in the image", Files.exists(image.resolve("etc").resolve(file)));
        }
        assertEquals("the upper /etc has the image's mode, so the merged /etc keeps it", "rwxr-x---",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(app.upperDir().resolve("etc"))));
    }

    @Test
    public void anImagesOwnRegularFileIsTheMountPointAndNothingIsCopiedUp() throws Exception {
        Path pod = pod();
        Path image = image("hosts");
        PodDirectory.App app = overlayApp(pod, image);
        EtcMountPoints.prepare(podDirectory(pod, app, pod.resolve("etc")));
        assertFalse(Files.exists(app.upperDir().resolve("etc/hosts")));
        assertTrue(Files.isRegularFile(app.upperDir().resolve("etc/resolv.conf")));
        assertEquals("image's hosts\n", Files.readString(image.resolve("etc/hosts")));
    }

    @Test
    public void anImagesLinkIsShadowedByARegularFileInTheUpperLayer() throws Exception {
        Path pod = pod();
        Path image = image();
        Files.createSymbolicLink(image.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/stub-resolv.conf"));
        PodDirectory.App app = overlayApp(pod, image);
        EtcMountPoints.prepare(podDirectory(pod, app, pod.resolve("etc")));
        assertTrue(Files.isRegularFile(app.upperDir().resolve("etc/resolv.conf"), LinkOption.NOFOLLOW_LINKS));
        assertTrue("the image keeps its link", Files.isSymbolicLink(image.resolve("etc/resolv.conf")));
        assertFalse("nothing is made where the link leads", Files.exists(app.upperDir().resolve("run")));
    }

    @Test
    public void aLinkInTheAppsOwnCopyIsReplacedByARegularFile() throws Exception {
        Path pod = pod();
        Path rootfs = pod.resolve("apps/web/rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("etc/hostname"), Path.of("/etc/hostname"));
        PodDirectory.App app = new PodDirectory.App("web", rootfs, List.of("/bin/true"), Map.of(), 0, 0, "/", null, null,
                false, null, null, null, null, null, null);
        EtcMountPoints.prepare(podDirectory(pod, app, pod.resolve("etc")));
        assertTrue(Files.isRegularFile(rootfs.resolve("etc/hostname"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(rootfs.resolve("etc/hosts"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    public void anImageWhoseEtcIsALinkIsRefusedClearly() throws Exception {
        Path pod = pod();
        Path image = tmp.newFolder("tree").toPath();
        Files.createDirectories(image.resolve("usr/etc"));
        Files.createSymbolicLink(image.resolve("etc"), Path.of("usr/etc"));
        PodDirectory.App app = overlayApp(pod, image);
        try {
            EtcMountPoints.prepare(podDirectory(pod, app, pod.resolve("etc")));
            fail("an /etc link was accepted");
        } catch (BosunException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("/etc is a symbolic link in its image"));
        }
        assertFalse(Files.exists(app.upperDir().resolve("etc"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    public void aPodWithoutEtcFilesTouchesNoApp() throws Exception {
        Path pod = pod();
        Path image = image();
        PodDirectory.App app = overlayApp(pod, image);
        EtcMountPoints.prepare(podDirectory(pod, app, null));
        assertFalse(Files.exists(app.upperDir().resolve("etc")));
    }

    /** A volume the app mounts on one of the files wins: that file is neither bound nor made a mount point. */
    @Test
    public void anEtcFileAVolumeIsMountedOnIsLeftToTheVolume() throws Exception {
        Path pod = pod();
        Path image = image("passwd");
        PodDirectory.App plain = overlayApp(pod, image);
        PodDirectory.App app = new PodDirectory.App("web", plain.rootfs(), plain.exec(), Map.of(), 0, 0, "/", null,
                List.of(new PodDirectory.Mount("hosts", pod.resolve("hosts-volume"), "/etc//hosts", true, false)), false,
                null, null, plain.lowerDirs(), plain.upperDir(), plain.workDir(), null);
        PodDirectory podDirectory = podDirectory(pod, app, pod.resolve("etc"));
        assertEquals(List.of("resolv.conf", "hosts", "hostname"), EtcMountPoints.present(podDirectory));
        assertEquals(List.of("resolv.conf", "hostname"), EtcMountPoints.present(podDirectory, app));
        EtcMountPoints.prepare(podDirectory);
        assertFalse("no mount point of the pod's made", Files.exists(app.upperDir().resolve("etc/hosts")));
        assertTrue(Files.exists(app.upperDir().resolve("etc/hostname")));
    }
}
