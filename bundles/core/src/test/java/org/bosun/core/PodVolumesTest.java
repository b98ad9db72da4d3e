package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodOptions.VolumeSpec;
import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.files.Scratch;
import org.junit.Rule;
import org.junit.Test;

public class PodVolumesTest {
    @Rule
    public final Scratch scratch = new Scratch();

    private static PodOptions volumes(VolumeSpec... specs) {
        return new PodOptions(null, null, null, null, null, List.of(specs), null, null, false, false, false, null, null);
    }

    private static AppRequest app(AppSettings settings) {
        return new AppRequest("busybox.aci", null, null, null, null, null, null, null, settings);
    }

    private static AppSettings mounts(AppSettings.MountRequest... mounts) {
        return new AppSettings(null, List.of(mounts), false, null, null, null, null, null, null);
    }

    private static ImageManifest image(ImageManifest.MountPoint... points) {
        return new ImageManifest("example.com/db", Map.of(), List.of("/bin/db"), null, null, null, Map.of(), Map.of(),
                null, List.of(points), Map.of("pre-start", List.of("/bin/setup")), List.of(20));
    }

    @Test
    public void aPodsVolumesAndMountsSurviveTheManifestAndReachTheEngine() throws Exception {
        Path host = Files.createDirectories(scratch.root().resolve("host"));
        Path pod = Files.createDirectories(scratch.root().resolve("pod"));
        PodOptions options = volumes(new VolumeSpec("data", "host", host.toString(), true, false, null, null, null),
                new VolumeSpec("cache", "empty", null, false, true, "0700", 1000, 1000));
        AppRequest request = app(new AppSettings(List.of(30), List.of(new AppSettings.MountRequest("cache", "/var/cache/")),
                true, new Resources(64L << 20, 500L, 512L, -100), null, null, null, null, null));
        PodVolumes volumes = PodVolumes.check(options, List.of(request));
        ImageManifest image = image(new ImageManifest.MountPoint("data", "/srv/data", false),
                new ImageManifest.MountPoint("logs", "/var/log", true));
        List<PodManifestJson.Mount> mounts = volumes.mounts(request, image, "db",
                Files.createDirectories(scratch.root().resolve("rootfs")));
        PodManifestJson.RuntimeApp app = new PodManifestJson.RuntimeApp("db", new PodManifestJson.RuntimeImage(
                "example.com/db", "sha512-x", List.of()), new PodManifestJson.App(List.of("/bin/db"), "0", "0", "/",
                List.of(), AppIsolators.supplementaryGids(image, request), AppIsolators.isolators(request.settings().resources()),
                AppIsolators.eventHandlers(image, "db")), true, mounts, List.of());
        PodManifestJson manifest = new PodManifestJson(PodManifestJson.AC_VERSION, PodManifestJson.AC_KIND, List.of(app),
                volumes.manifestVolumes(), List.of(), List.of(), List.of());
        PodFiles files = new PodFiles();
        files.writeJson(pod.resolve(PodFiles.MANIFEST), manifest);
        PodManifestJson read = files.manifest(pod);

        PodDirectory.App engine = AppIsolators.engineApp(pod, read, read.apps().get(0), Map.of());
        assertEquals(List.of(
                new PodDirectory.Mount("cache", pod.resolve("volumes/cache"), "/var/cache", false, false),
                new PodDirectory.Mount("data", host, "/srv/data", true, false),
                new PodDirectory.Mount("logs", pod.resolve("volumes/logs"), "/var/log", true, false)), engine.mounts());
        assertEquals("the flag's groups replace the image's", List.of(30), engine.supplementaryGids());
        assertTrue(engine.readonlyRootfs());
        assertEquals(new Resources(64L << 20, 500L, 512L, -100), engine.resources());
        assertEquals(Map.of("pre-start", List.of("/bin/setup")), engine.eventHandlers());
        assertEquals("the implicit volume is said on --debug", 1, volumes.notes().size());
        assertTrue(volumes.notes().get(0).contains("implicit empty volume"));

        PodVolumes.createEmptyVolumes(pod, read, null);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(pod.resolve("volumes/cache"))));
        assertEquals(1000, Files.getAttribute(pod.resolve("volumes/cache"), "unix:uid"));
        assertTrue(Files.isDirectory(pod.resolve("volumes/logs")));
    }

    @Test
    public void inAPodWithAUserNamespaceAnEmptyVolumeIsOwnedByThePodsIds() throws Exception {
        Path pod = Files.createDirectories(scratch.root().resolve("pod"));
        PodOptions options = volumes(new VolumeSpec("shared", "empty", null, false, true, "0750", 1000, 100));
        AppRequest request = app(mounts(new AppSettings.MountRequest("shared", "/shared")));
        PodVolumes volumes = PodVolumes.check(options, List.of(request));
        List<PodManifestJson.Mount> mounts = volumes.mounts(request, image(), "a",
                Files.createDirectories(scratch.root().resolve("rootfs")));
        PodManifestJson.RuntimeApp app = new PodManifestJson.RuntimeApp("a", new PodManifestJson.RuntimeImage(
                "example.com/db", "sha512-x", List.of()), new PodManifestJson.App(List.of("/bin/db"), "0", "0", "/",
                List.of(), null, null, null), false, mounts, List.of());
        PodManifestJson manifest = new PodManifestJson(PodManifestJson.AC_VERSION, PodManifestJson.AC_KIND, List.of(app),
                volumes.manifestVolumes(), List.of(), List.of(), List.of());
        org.bosun.api.security.IdMapping userns = new org.bosun.api.security.IdMapping(0, 589824, 65536);
        PodVolumes.createEmptyVolumes(pod, manifest, userns);
        assertEquals(589824 + 1000, Files.getAttribute(pod.resolve("volumes/shared"), "unix:uid"));
        assertEquals(589824 + 100, Files.getAttribute(pod.resolve("volumes/shared"), "unix:gid"));
        assertEquals(0, PodVolumes.hostId(0, null));

        BosunException e = assertThrows(BosunException.class, () -> PodVolumes.hostId(65536, userns));
        assertTrue(e.getMessage(), e.getMessage().contains("owner id 65536") && e.getMessage().contains("0..65535"));
    }

    @Test
    public void aMountOfAnUnknownVolumeIsRefusedNamingTheVolumesThereAre() {
        BosunException e = assertThrows(BosunException.class, () -> PodVolumes.check(
                volumes(new VolumeSpec("data", "empty", null, false, true, null, null, null)),
                List.of(app(mounts(new AppSettings.MountRequest("nope", "/x"))))));
        assertTrue(e.getMessage(), e.getMessage().contains("no volume 'nope'") && e.getMessage().contains("data"));
    }

    @Test
    public void badVolumesAreRefusedBeforeAnythingIsWritten() {
        VolumeSpec empty = new VolumeSpec("data", "empty", null, false, true, null, null, null);
        assertThrows(BosunException.class, () -> PodVolumes.check(volumes(empty, empty), List.of()));
        assertThrows(BosunException.class, () -> PodVolumes.check(volumes(new VolumeSpec("h", "host",
                scratch.root().resolve("absent").toString(), false, true, null, null, null)), List.of()));
        assertThrows(BosunException.class, () -> PodVolumes.check(volumes(empty),
                List.of(app(mounts(new AppSettings.MountRequest("data", ""))))));
    }

    private List<PodManifestJson.Mount> mountsIn(Path rootfs, AppSettings.MountRequest... requests) {
        VolumeSpec empty = new VolumeSpec("data", "empty", null, false, true, null, null, null);
        AppRequest request = app(mounts(requests));
        return PodVolumes.check(volumes(empty), List.of(request)).mounts(request, image(), "db", rootfs);
    }

    @Test
    public void aTargetIsResolvedInsideTheAppsRootAsRktDid() throws Exception {
        Path rootfs = Files.createDirectories(scratch.root().resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("dir1/real"));
        Files.createSymbolicLink(rootfs.resolve("dir1/link"), Path.of("real"));
        Files.createSymbolicLink(rootfs.resolve("abs"), Path.of("/dir1/real"));
        assertEquals(List.of(new PodManifestJson.Mount("data", "/a/b/c", null)),
                mountsIn(rootfs, new AppSettings.MountRequest("data", "a/b/c")));
        assertEquals(List.of(new PodManifestJson.Mount("data", "/dir1/real/baz", null)),
                mountsIn(rootfs, new AppSettings.MountRequest("data", "/dir1/../dir1/.//link/baz")));
        // An absolute link's target is the app's, not the host's.
        assertEquals(List.of(new PodManifestJson.Mount("data", "/dir1/real/x", null)),
                mountsIn(rootfs, new AppSettings.MountRequest("data", "abs/x")));
    }

    @Test
    public void aTargetThatLeavesTheAppsRootOrIsItsRootIsRefused() throws Exception {
        Path rootfs = Files.createDirectories(scratch.root().resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("dir1"));
        Files.createSymbolicLink(rootfs.resolve("dir1/up"), Path.of("../../.."));
        for (String target : List.of("/../etc", "dir1/../../x", "/dir1/up/x")) {
            BosunException e = assertThrows(target, BosunException.class,
                    () -> mountsIn(rootfs, new AppSettings.MountRequest("data", target)));
            assertTrue(e.getMessage(), e.getMessage().contains("leads out of the app's root"));
        }
        for (String target : List.of("/", "dir1/..")) {
            BosunException e = assertThrows(target, BosunException.class,
                    () -> mountsIn(rootfs, new AppSettings.MountRequest("data", target)));
            assertTrue(e.getMessage(), e.getMessage().contains("is the app's root"));
        }
        BosunException twice = assertThrows(BosunException.class, () -> mountsIn(rootfs,
                new AppSettings.MountRequest("data", "/a"), new AppSettings.MountRequest("data", "a/")));
        assertTrue(twice.getMessage(), twice.getMessage().contains("another --mount of the same app has the target /a"));
    }

    /** As Docker, podman and rkt: an implicit volume starts with the image's files, mode and owner at its path. */
    @Test
    public void anImplicitVolumeStartsWithTheImagesFilesAtItsMountPoint() throws Exception {
        Path tree = Files.createDirectories(scratch.root().resolve("tree"));
        Path data = Files.createDirectories(tree.resolve("var/lib/data/sub"));
        Files.writeString(data.resolve("seed"), "from the image\n");
        Files.createSymbolicLink(tree.resolve("var/lib/data/link"), Path.of("sub/seed"));
        Files.setPosixFilePermissions(tree.resolve("var/lib/data"), java.nio.file.attribute.PosixFilePermissions
                .fromString("rwxrwx---"));
        Files.setAttribute(tree.resolve("var/lib/data"), "unix:uid", 1000);
        Path pod = Files.createDirectories(scratch.root().resolve("pod"));
        AppRequest request = app(mounts());
        PodVolumes volumes = PodVolumes.check(volumes(), List.of(request));
        List<PodManifestJson.Mount> mounts = volumes.mounts(request, image(
                new ImageManifest.MountPoint("volume-var-lib-data", "/var/lib/data", false),
                new ImageManifest.MountPoint("empty", "/nowhere", false)), "db", tree);
        PodManifestJson.RuntimeApp app = new PodManifestJson.RuntimeApp("db", new PodManifestJson.RuntimeImage(
                "example.com/db", "sha512-x", List.of()), new PodManifestJson.App(List.of("/bin/db"), "0", "0", "/",
                List.of(), null, null, null), false, mounts, List.of());
        PodManifestJson manifest = new PodManifestJson(PodManifestJson.AC_VERSION, PodManifestJson.AC_KIND, List.of(app),
                volumes.manifestVolumes(), List.of(), List.of(), List.of());
        PodVolumes.createEmptyVolumes(pod, manifest, null);
        volumes.seedImplicitVolumes(pod);
        Path volume = pod.resolve("volumes/volume-var-lib-data");
        assertEquals("from the image\n", Files.readString(volume.resolve("sub/seed")));
        assertEquals(Path.of("sub/seed"), Files.readSymbolicLink(volume.resolve("link")));
        assertEquals("rwxrwx---", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(volume)));
        assertEquals(1000, Files.getAttribute(volume, "unix:uid"));
        try (var empty = Files.list(pod.resolve("volumes/empty"))) {
            assertEquals("nothing in the image there", 0, empty.count());
        }
        // A mount point through a link out of the image is refused before any seeding (targetInside's tests).
    }
}
