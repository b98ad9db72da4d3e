package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** tmpfs mounts for tests, with mount(8) and umount(8). In the test jar, for every bundle's tests. */
public final class Mounts {
    private Mounts() {
    }

    public static void tmpfs(Path mountPoint) throws IOException, InterruptedException {
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString());
    }

    public static void umountIfMounted(Path mountPoint) throws IOException, InterruptedException {
        if (MountPoints.under(mountPoint).contains(mountPoint)) {
            run("umount", mountPoint.toString());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        String output = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.trim());
        }
    }
}
