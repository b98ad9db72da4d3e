package org.bosun.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;

/** Copies directory trees of images: owners, modes, links and special files kept, links never followed. */
final class Directories {
    private Directories() {
    }

    /** Copies the contents of {@code from} into the existing directory {@code to} with {@code cp -a}. */
    static void copy(Path from, Path to) {
        List<String> argv = List.of("/usr/bin/cp", "-a", "--", from + "/.", to + "/");
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw BosunException.precondition("cannot copy " + from + " to " + to + ": "
                        + (output.isEmpty() ? "cp failed" : output.lines().reduce((a, b) -> b).orElse(output)));
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run /usr/bin/cp (coreutils): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.precondition("copying " + from + " was cancelled");
        }
    }
}
