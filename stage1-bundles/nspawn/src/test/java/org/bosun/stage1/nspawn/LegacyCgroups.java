package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** This process's cgroups in the legacy (cgroup v1) hierarchies of a hybrid host. */
final class LegacyCgroups {
    private LegacyCgroups() {
    }

    /** This process's cgroup of {@code controller}, or null when no legacy hierarchy has it. */
    static Path own(String controller) throws IOException {
        Path mountPoint = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] sides = line.split(" - ", 2);
            String[] fields = sides[0].split(" ");
            String[] fs = sides[1].split(" ");
            if (fs[0].equals("cgroup") && List.of(fs[2].split(",")).contains(controller) && fields[3].equals("/")) {
                mountPoint = Path.of(fields[4]);
            }
        }
        if (mountPoint == null) {
            return null;
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (List.of(parts[1].split(",")).contains(controller)) {
                return mountPoint.resolve(parts[2].substring(1));
            }
        }
        return null;
    }
}
