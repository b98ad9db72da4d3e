package org.bosun.stage1.fly;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * fly's mount script, run as the engine runs it: in a private mount namespace of util-linux
 * unshare, as root, with real bind mounts into a real rootfs; what the command it execs sees.
 */
public class FlyEngineTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result mountAndExec(Path rootfs, List<String> mounts, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of(FlyEngine.UNSHARE, "--mount", "--propagation", "private", "--",
                FlyEngine.SH, "-c", FlyEngine.MOUNT_AND_EXEC, "fly-mounts", "", rootfs.toString()));
        argv.addAll(mounts);
        argv.add("--");
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    public void aSharedPidNamespaceIsRefusedInOneLine() {
        org.bosun.api.stage1.PodDirectory pod = new org.bosun.api.stage1.PodDirectory("1234", tmp.getRoot().toPath(),
                List.of(), java.util.Map.of(), new org.bosun.api.stage1.PodDirectory.Pod(null, null, null, false,
                        java.util.Map.of("pid", "pod"), null));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> new FlyEngine().prepare(pod));
        assertEquals(org.bosun.api.ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals(e.getMessage(), 1, e.getMessage().lines().count());
        assertTrue(e.getMessage(), e.getMessage().contains("--stage1-name=oci"));
    }

    @Test(timeout = 60_000)
    public void volumesAndHostTreesAreMountedInTheRootfsOnlyInThePodsNamespace() throws Exception {
        assumeTrue("mounts: needs root", "root".equals(System.getProperty("user.name")));
        Path rootfs = tmp.newFolder("rootfs").toPath();
        Path volume = tmp.newFolder("volume").toPath();
        Files.writeString(volume.resolve("given"), "from-volume\n");
        Path resolv = Files.writeString(tmp.getRoot().toPath().resolve("resolv.conf"), "nameserver 192.0.2.53\n");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("etc/resolv.conf"), Path.of("../run/resolv.conf"));
        Result r = mountAndExec(rootfs, List.of("/proc", "/proc", "rbind", volume.toString(), "/data/v", "bind,ro",
                resolv.toString(), "/etc/resolv.conf", "bind,ro,optional", "/nonexistent", "/etc/hosts", "bind,optional"),
                "/bin/sh", "-c",
                "cat " + rootfs + "/data/v/given " + rootfs + "/etc/resolv.conf; test -e " + rootfs + "/proc/self/mounts"
                        + " && echo proc; touch " + rootfs + "/data/v/denied 2>/dev/null || echo read-only");
        assertEquals(r.stderr(), 0, r.exitCode());
        assertEquals(List.of("from-volume", "nameserver 192.0.2.53", "proc", "read-only"), r.stdout().lines().toList());
        assertFalse("nothing is mounted in the host's namespace", Files.exists(rootfs.resolve("data/v/given")));
        assertTrue("the mount point was made in the rootfs", Files.isDirectory(rootfs.resolve("data/v")));
        assertTrue("the link the file's mount would follow is replaced", Files.isRegularFile(rootfs.resolve("etc/resolv.conf")));
        assertFalse("an optional mount of a missing source is left out", Files.exists(rootfs.resolve("etc/hosts")));
    }

    @Test(timeout = 60_000)
    public void aTargetThroughALinkOfTheImageIsRefusedInOneLine() throws Exception {
        assumeTrue("mounts: needs root", "root".equals(System.getProperty("user.name")));
        Path rootfs = tmp.newFolder("rootfs").toPath();
        Path outside = tmp.newFolder("outside").toPath();
        Files.createSymbolicLink(rootfs.resolve("var"), outside);
        Path volume = tmp.newFolder("volume").toPath();
        Result r = mountAndExec(rootfs, List.of(volume.toString(), "/var/lib/data", "bind"), "/bin/echo", "ran");
        assertEquals(125, r.exitCode());
        assertEquals("", r.stdout());
        assertEquals(r.stderr(), 1, r.stderr().lines().count());
        assertTrue(r.stderr(), r.stderr().contains("/var/lib/data passes through a symbolic link"));
        assertFalse("nothing made outside the rootfs", Files.exists(outside.resolve("lib")));
    }

    @Test(timeout = 60_000)
    public void theMountScriptIsShellcheckClean() throws Exception {
        assumeTrue("shellcheck is not installed", Files.isExecutable(Path.of("/usr/bin/shellcheck")));
        Path file = tmp.newFile("mount-and-exec").toPath();
        Files.writeString(file, "#!/bin/sh\n" + FlyEngine.MOUNT_AND_EXEC + "\n");
        Process p = new ProcessBuilder("/usr/bin/shellcheck", "--shell=sh", "--severity=style", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.waitFor());
    }
}
