package org.bosun.stage1.nspawn;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.host.cgroup.CgroupTree;

/**
 * The pod's cgroup on the host. The systemd in the pod needs a cgroup2 hierarchy to learn reliably
 * when an app's processes are gone (on the legacy hierarchy inside a container it waits for
 * notifications that never come, and stopping an app hangs for its whole stop timeout), so the pod
 * runs on the cgroup2 hierarchy: all of it on a unified host, {@code /sys/fs/cgroup/unified} on a
 * hybrid one (systemd-nspawn is told with {@code SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1}). On a hybrid
 * host systemd-nspawn also creates the same cgroups in the legacy {@code name=systemd} hierarchy.
 *
 * @param hierarchy where the cgroup2 hierarchy is mounted
 * @param hybrid whether the host mounts the legacy hierarchies too
 */
record PodCgroup(Path hierarchy, boolean hybrid) {
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    static final Path LEGACY_SYSTEMD = CGROUP_ROOT.resolve("systemd");

    /** This host's layout, or empty if it has no cgroup2 hierarchy at all. */
    static Optional<PodCgroup> ofHost() {
        if (Files.exists(CGROUP_ROOT.resolve("cgroup.controllers"))) {
            return Optional.of(new PodCgroup(CGROUP_ROOT, false));
        }
        Path unified = CGROUP_ROOT.resolve("unified");
        if (Files.exists(unified.resolve("cgroup.controllers"))) {
            return Optional.of(new PodCgroup(unified, true));
        }
        return Optional.empty();
    }

    static PodCgroup requireHost() {
        return ofHost().orElseThrow(() -> BosunException.unavailable("the nspawn engine needs a cgroup2 hierarchy "
                + "(unified or hybrid cgroups); this host has only legacy cgroup v1 hierarchies under " + CGROUP_ROOT
                + "; use --stage1-name=fly"));
    }

    /** The name of a pod's cgroup, below the cgroup of the process that runs it. */
    static String name(String uuid) {
        return "bosun-" + uuid;
    }

    /** The directory of {@code relative} (as {@code /proc/PID/cgroup} shows it) in the cgroup2 hierarchy. */
    Path dir(String relative) {
        return hierarchy.resolve(relative.startsWith("/") ? relative.substring(1) : relative);
    }

    /** The cgroup of the app's unit, inside the pod's cgroup. */
    Path appDir(String podCgroup, String app) {
        return dir(podCgroup).resolve("payload/system.slice").resolve(PodUnits.appUnit(app));
    }

    /** The main process of the app's unit (its parent is the pod's systemd), if it runs. */
    Optional<Long> appMainPid(String podCgroup, String app) {
        Set<Long> pids = CgroupTree.pids(appDir(podCgroup, app));
        for (long pid : pids) {
            long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
            if (parent > 0 && !pids.contains(parent)) {
                return Optional.of(pid);
            }
        }
        return Optional.empty();
    }

    /**
     * Sends SIGKILL to whatever runs in the pod's payload cgroup (it is all the pod's), without
     * waiting: systemd-nspawn is killed next, before it can see its container end and exit on its own.
     */
    void kill(String podCgroup) {
        CgroupTree.signal(List.of(dir(podCgroup).resolve("payload")));
    }

    /**
     * Removes the pod's cgroups in every hierarchy where systemd-nspawn made them; kills what is left
     * in them first (processes of a pod whose systemd-nspawn was killed on its own). Returns the
     * directories that could not be removed.
     */
    List<String> remove(String podCgroup) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(dir(podCgroup));
        if (hybrid) {
            dirs.add(LEGACY_SYSTEMD.resolve(podCgroup.substring(1)));
        }
        List<Path> cgroups = dirs.stream()
                .filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && Files.exists(d.resolve("cgroup.procs")))
                .toList();
        CgroupTree.kill(cgroups);
        return CgroupTree.remove(cgroups);
    }
}
