package org.bosun.host.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bosun.host.files.MountInfo;

/**
 * Where a process's cgroups are in this mount namespace: each line of {@code /proc/PID/cgroup}
 * found in the hierarchy mounted here that holds it (a v1 hierarchy with its controllers, or the
 * cgroup2 one), below that mount's root. A cgroup whose hierarchy is not mounted, or lies outside
 * the mounted part of it, has no directory here.
 */
public final class ProcessCgroupFiles {
    /**
     * One cgroup of a process.
     *
     * @param unified whether it is in the cgroup2 hierarchy
     * @param controllers its v1 hierarchy's controllers as /proc/PID/cgroup names them (empty for cgroup2)
     * @param directory the cgroup's directory in this mount namespace
     */
    public record Cgroup(boolean unified, Set<String> controllers, Path directory) {
        public Cgroup {
            controllers = Set.copyOf(controllers);
        }

        /** The file a process is moved into the cgroup through. */
        public Path procs() {
            return directory.resolve("cgroup.procs");
        }
    }

    private ProcessCgroupFiles() {
    }

    /** The cgroups of process {@code pid}; an IOException if it has exited. */
    public static List<Cgroup> of(long pid) throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")), MountInfo.read());
    }

    /** {@code cgroupLines} as /proc/PID/cgroup shows them, found in {@code mounts}, in the lines' order. */
    public static List<Cgroup> parse(List<String> cgroupLines, List<MountInfo> mounts) {
        List<Cgroup> found = new ArrayList<>();
        for (String line : cgroupLines) {
            String[] f = line.split(":", 3);
            if (f.length != 3) {
                continue;
            }
            boolean unified = f[0].equals("0") && f[1].isEmpty();
            Set<String> controllers = unified ? Set.of() : Set.of(f[1].split(","));
            Path dir = directory(unified, controllers, f[2], mounts);
            if (dir != null) {
                found.add(new Cgroup(unified, controllers, dir));
            }
        }
        return found;
    }

    /** In the first mount of the hierarchy that shows {@code cgroup}; null when none does. */
    private static Path directory(boolean unified, Set<String> controllers, String cgroup, List<MountInfo> mounts) {
        for (MountInfo mount : mounts) {
            boolean match = unified ? mount.fsType().equals("cgroup2")
                    : mount.fsType().equals("cgroup") && mount.superOptions().containsAll(controllers);
            String root = mount.root();
            if (!match || !(cgroup + "/").startsWith(root.equals("/") ? "/" : root + "/")) {
                continue;
            }
            String below = root.equals("/") ? cgroup : cgroup.substring(root.length());
            return mount.mountPoint().resolve(below.startsWith("/") ? below.substring(1) : below).normalize();
        }
        return null;
    }
}
