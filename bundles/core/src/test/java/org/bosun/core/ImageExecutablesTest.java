package org.bosun.core;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.bosun.host.files.Scratch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

public class ImageExecutablesTest {
    private static final String PATH = "/usr/local/bin:/usr/bin:/bin";

    @Rule
    public final Scratch scratch = new Scratch();

    private Path rootfs;
    private Path outside;

    @Before
    public void layOut() throws IOException {
        rootfs = Files.createDirectories(scratch.root().resolve("rootfs"));
        outside = Files.createDirectories(scratch.root().resolve("outside"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("usr/bin"));
        executable(rootfs.resolve("bin/busybox"));
    }

    private static void executable(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    public void aBareNameIsFoundInTheFirstPathDirectoryThatHoldsItUnderTheNameItWasFoundBy() throws IOException {
        // busybox's applets are links to it; the applet's name is what must stay.
        Files.createSymbolicLink(rootfs.resolve("bin/echo"), Path.of("busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("/bin/busybox"));
        assertEquals(Optional.of("/bin/echo"), ImageExecutables.find(rootfs, "echo", PATH, "/"));
        assertEquals(Optional.of("/bin/sh"), ImageExecutables.find(rootfs, "sh", PATH, "/"));
        executable(rootfs.resolve("usr/bin/sh"));
        assertEquals(Optional.of("/usr/bin/sh"), ImageExecutables.find(rootfs, "sh", PATH, "/"));
    }

    @Test
    public void linksAreResolvedInsideTheImageNeverOnTheHost() throws IOException {
        executable(outside.resolve("tool"));
        // Absolute and climbing targets as the host would read them both lead to the host's file.
        Files.createSymbolicLink(rootfs.resolve("bin/tool"), outside.resolve("tool"));
        Files.createSymbolicLink(rootfs.resolve("usr/bin/tool"), Path.of("../../../outside/tool"));
        assertEquals(Optional.empty(), ImageExecutables.find(rootfs, "tool", PATH, "/"));
        // The same absolute target that exists inside the image is found there.
        Files.createDirectories(rootfs.resolve(outside.toString().substring(1)));
        executable(rootfs.resolve(outside.toString().substring(1)).resolve("tool"));
        assertEquals(Optional.of("/bin/tool"), ImageExecutables.find(rootfs, "tool", PATH, "/"));
    }

    @Test
    public void aFileThatIsNotExecutableOrADirectoryIsPassedOver() throws IOException {
        Files.writeString(rootfs.resolve("usr/bin/data"), "x");
        Files.createDirectories(rootfs.resolve("usr/bin/dir"));
        assertEquals(Optional.empty(), ImageExecutables.find(rootfs, "data", PATH, "/"));
        assertEquals(Optional.empty(), ImageExecutables.find(rootfs, "dir", PATH, "/"));
        assertEquals(Optional.empty(), ImageExecutables.find(rootfs, "missing", PATH, "/"));
        assertEquals(Optional.empty(), ImageExecutables.find(rootfs, "busybox", null, "/"));
        assertEquals(Optional.empty(), ImageExecutables.find(rootfs, "busybox", "bin:", "/"));
    }

    @Test
    public void anAbsolutePathIsCheckedAsItIsAndARelativeOneAgainstTheWorkingDirectory() {
        assertEquals(Optional.of("/bin/busybox"), ImageExecutables.find(rootfs, "/bin/busybox", PATH, "/"));
        assertEquals(Optional.empty(), ImageExecutables.find(rootfs, "/bin/none", PATH, "/"));
        assertEquals(Optional.of("/bin/busybox"), ImageExecutables.find(rootfs, "./busybox", PATH, "/bin"));
        assertEquals(Optional.of("/bin/busybox"), ImageExecutables.find(rootfs, "bin/busybox", "", "/"));
    }
}
