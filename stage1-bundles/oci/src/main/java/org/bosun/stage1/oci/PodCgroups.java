package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;

/**
 * The pod's cgroups on the host, one per hierarchy ({@code <caller's cgroup>/bosun-<uuid>}), as
 * {@code engine/run} recorded them in {@code engine/cgroups}. Every container of the pod lives
 * below them, so killing what is in them ends the whole pod.
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

    /** Kills every process in the pod's cgroups, until none is left (or a few seconds passed). */
    static void kill(List<Path> podCgroups) {
        for (int round = 0; round < 100; round++) {
            Set<Long> pids = new LinkedHashSet<>();
            for (Path dir : podCgroups) {
                for (Path d : tree(dir)) {
                    pids.addAll(pids(d));
                }
            }
            if (pids.isEmpty()) {
                return;
            }
            for (Path dir : podCgroups) {
                try {
                    Files.writeString(dir.resolve("cgroup.kill"), "1");
                } catch (IOException e) {
                    // a legacy hierarchy, or gone: the processes are signalled one by one
                }
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            sleep(20);
        }
    }

    /** Removes the pod's cgroups, deepest first; returns what could not be removed. */
    static List<String> remove(List<Path> podCgroups) {
        List<String> failed = new ArrayList<>();
        for (Path dir : podCgroups) {
            List<Path> dirs = tree(dir);
            for (int i = dirs.size() - 1; i >= 0; i--) {
                removeOne(dirs.get(i), failed);
            }
        }
        return failed;
    }

    private static void removeOne(Path d, List<String> failed) {
        FileSystemException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                Files.deleteIfExists(d);
                return;
            } catch (DirectoryNotEmptyException e) {
                last = e;
            } catch (FileSystemException e) {
                last = e; // EBUSY while the last processes are reaped
            } catch (IOException e) {
                failed.add(d + ": " + e.getMessage());
                return;
            }
            sleep(20);
        }
        failed.add(d + ": " + (last.getReason() == null ? last.getMessage() : last.getReason()));
    }

    /** {@code dir} and its sub-cgroups, parents first; empty if it does not exist. */
    static List<Path> tree(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
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

    static Set<Long> pids(Path cgroupDir) {
        Set<Long> pids = new LinkedHashSet<>();
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
