package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;

/**
 * The pod's cgroups on the host, one per hierarchy ({@code <caller's cgroup>/bosun-<uuid>}), as
 * {@code engine/run} recorded them in {@code engine/cgroups}. Every container of the pod lives
 * below them, so killing what is in them ({@link org.bosun.host.cgroup.CgroupTree}) ends the whole pod.
 */
final class PodCgroups {
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    static final String RECORD = "cgroups";

    private PodCgroups() {
    }

    static String name(String uuid) {
        return "bosun-" + uuid;
    }

    /** The recorded cgroups of the pod; refuses a record that names anything but the pod's own. */
    static List<Path> recorded(Path engineDir, String uuid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(engineDir.resolve(RECORD));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw BosunException.internal("cannot read the cgroup record of pod " + uuid + ": " + e.getMessage(), e);
        }
        List<Path> dirs = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            Path dir = Path.of(line.trim());
            boolean ours = dir.isAbsolute() && dir.normalize().equals(dir) && dir.startsWith(CGROUP_ROOT)
                    && dir.getFileName().toString().equals(name(uuid));
            if (!ours) {
                throw BosunException.internal("pod " + uuid + " records the cgroup '" + line
                        + "', which is not its own; refusing to touch it", null);
            }
            dirs.add(dir);
        }
        return dirs;
    }
}
