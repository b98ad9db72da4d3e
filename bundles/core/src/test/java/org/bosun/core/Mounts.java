package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** tmpfs mounts for tests, with mount(8) and umount(8). */
final class Mounts {
    private Mounts() {
    }

    static void tmpfs(Path mountPoint) throws IOException, InterruptedException {
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString());
    }

    static void umountIfMounted(Path mountPoint) throws IOException, InterruptedException {
        String real = mountPoint.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && fields[4].equals(real)) {
                run("umount", real);
                return;
            }
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
