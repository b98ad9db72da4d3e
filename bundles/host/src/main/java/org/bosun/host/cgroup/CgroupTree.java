package org.bosun.host.cgroup;

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
 * A cgroup and its descendants on the host, in any hierarchy (cgroup2 or a legacy one): what an
 * engine does with the cgroups of a pod whose processes must end, whether its own process was
 * killed or a stop was forced. The caller decides which cgroups are the pod's; nothing here checks
 * that a directory is one.
 */
public final class CgroupTree {
    /** How often {@link #kill} looks again, and {@link #remove} tries again, before it gives up. */
    static final int ROUNDS = 100;
    static final long PAUSE_MILLIS = 20;

    private CgroupTree() {
    }

    /** How deep below a hierarchy's root {@link #podCgroups} looks: pods sit below their caller's cgroup. */
    static final int POD_CGROUP_DEPTH = 4;

    /**
     * The cgroups of pod {@code uuid} in every hierarchy mounted under {@code /sys/fs/cgroup}: the
     * directories named {@code bosun-UUID}, as every engine names a pod's cgroup, whoever started it.
     * For what a pod left when its data directory is gone: nothing else knows where they are.
     */
    public static List<Path> podCgroups(String uuid) {
        return podCgroups(Path.of("/sys/fs/cgroup"), uuid);
    }

    static List<Path> podCgroups(Path cgroupRoot, String uuid) {
        String name = "bosun-" + uuid;
        List<Path> found = new ArrayList<>();
        List<Path> level = List.of(cgroupRoot);
        for (int depth = 0; depth <= POD_CGROUP_DEPTH && !level.isEmpty(); depth++) {
            List<Path> next = new ArrayList<>();
            for (Path dir : level) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(dir,
                        p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                    for (Path child : children) {
                        if (child.getFileName().toString().equals(name)) {
                            found.add(child);
                        } else {
                            next.add(child);
                        }
                    }
                } catch (IOException e) {
                    // removed meanwhile, or not a directory one can list: no pod cgroup there
                }
            }
            level = next;
        }
        return found;
    }

    /** {@code dir} and its sub-cgroups, parents before children; empty if {@code dir} does not exist. */
    public static List<Path> walk(Path dir) {
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

    /** The processes in {@code cgroup} itself (not its sub-cgroups); none if it does not exist (any more). */
    public static Set<Long> pids(Path cgroup) {
        Set<Long> pids = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no such cgroup (any more)
        }
        return pids;
    }

    /** The processes in the trees of {@code roots}. */
    public static Set<Long> allPids(List<Path> roots) {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path root : roots) {
            for (Path dir : walk(root)) {
                pids.addAll(pids(dir));
            }
        }
        return pids;
    }

    /**
     * Kills every process in the trees of {@code roots} and returns once none is left (or after about
     * two seconds): {@link #signal} until nothing is left to signal.
     */
    public static void kill(List<Path> roots) {
        for (int round = 0; round < ROUNDS && signal(roots); round++) {
            pause();
        }
    }

    /**
     * Sends SIGKILL to every process in the trees of {@code roots}, without waiting for them to end:
     * {@code cgroup.kill} where the kernel has it (cgroup2, 5.14 and later), which also takes the
     * processes forked meanwhile, and to each process found. Returns whether there was any.
     */
    public static boolean signal(List<Path> roots) {
        Set<Long> pids = allPids(roots);
        if (pids.isEmpty()) {
            return false;
        }
        for (Path root : roots) {
            try {
                Files.writeString(root.resolve("cgroup.kill"), "1");
            } catch (IOException e) {
                // a legacy hierarchy, an older kernel, or gone: the processes are signalled one by one
            }
        }
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        return true;
    }

    /**
     * Removes the trees of {@code roots}, deepest first; a cgroup whose last process is still being
     * reaped is tried again for a while. Returns the cgroups that could not be removed, each with
     * why, for the caller's message.
     */
    public static List<String> remove(List<Path> roots) {
        List<String> failed = new ArrayList<>();
        for (Path root : roots) {
            List<Path> dirs = walk(root);
            for (int i = dirs.size() - 1; i >= 0; i--) {
                removeOne(dirs.get(i), failed);
            }
        }
        return failed;
    }

    private static void removeOne(Path dir, List<String> failed) {
        FileSystemException last = null;
        for (int attempt = 0; attempt < ROUNDS; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (DirectoryNotEmptyException e) {
                last = e;
            } catch (FileSystemException e) {
                last = e; // EBUSY while the last processes are reaped
            } catch (IOException e) {
                failed.add(dir + ": " + e.getMessage());
                return;
            }
            pause();
        }
        failed.add(dir + ": " + (last.getReason() == null ? last.getMessage() : last.getReason()));
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
