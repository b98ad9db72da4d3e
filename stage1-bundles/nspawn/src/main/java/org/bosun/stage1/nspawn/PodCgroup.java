package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bosun.api.BosunException;

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
        Set<Long> pids = pids(appDir(podCgroup, app));
        for (long pid : pids) {
            long parent = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
            if (parent > 0 && !pids.contains(parent)) {
                return Optional.of(pid);
            }
        }
        return Optional.empty();
    }

    /** Kills whatever still runs in the pod's cgroup: it is all the pod's. */
    void kill(String podCgroup) {
        Path payloadKill = dir(podCgroup).resolve("payload/cgroup.kill");
        try {
            Files.writeString(payloadKill, "1");
        } catch (IOException e) {
            // gone already, or a kernel before 5.14: the caller also kills systemd-nspawn's children
        }
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
        List<String> failed = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.exists(dir.resolve("cgroup.procs"))) {
                continue;
            }
            killAll(dir);
            removeTree(dir, failed);
        }
        return failed;
    }

    private static void killAll(Path dir) {
        try {
            Files.writeString(dir.resolve("cgroup.kill"), "1");
            return;
        } catch (IOException e) {
            // no cgroup.kill (legacy hierarchy, or an old kernel): signal each process
        }
        for (Path d : tree(dir)) {
            for (long pid : pids(d)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** rmdir(2) deepest first; a cgroup whose last process is still being reaped is retried briefly. */
    private static void removeTree(Path dir, List<String> failed) {
        List<Path> dirs = tree(dir);
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Path d = dirs.get(i);
            FileSystemException last = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    Files.deleteIfExists(d);
                    last = null;
                    break;
                } catch (DirectoryNotEmptyException e) {
                    last = e;
                } catch (FileSystemException e) {
                    last = e; // EBUSY while processes exit
                } catch (IOException e) {
                    failed.add(d + ": " + e.getMessage());
                    break;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (last != null) {
                failed.add(d + ": " + (last.getReason() == null ? last.getMessage() : last.getReason()));
            }
        }
    }

    /** {@code dir} and its sub-cgroups, parents before children. */
    private static List<Path> tree(Path dir) {
        List<Path> out = new ArrayList<>();
        out.add(dir);
        for (int i = 0; i < out.size(); i++) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(out.get(i),
                    p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                children.forEach(out::add);
            } catch (NoSuchFileException e) {
                // removed meanwhile
            } catch (IOException e) {
                throw BosunException.internal("cannot list cgroup " + out.get(i) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static Set<Long> pids(Path cgroupDir) {
        Set<Long> pids = new HashSet<>();
        try {
            for (String line : Files.readAllLines(cgroupDir.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no such cgroup (any more)
        }
        return pids;
    }
}
