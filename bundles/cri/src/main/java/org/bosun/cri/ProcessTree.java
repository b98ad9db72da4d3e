package org.bosun.cri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ends what an exec started, so that nothing of it is left when the call returns: the processes below
 * the entering command, not the command itself. The entering command is the runtime's {@code exec}
 * (runc, crun) or nsenter (nspawn), the parent of the exec'd process: runc's nsexec clones it with
 * CLONE_PARENT, crun and nsenter fork it. Killing that parent first would leave the killed process a
 * zombie reparented to the host's init, which on these hosts reaps lazily, and a zombie is still a
 * process of the container to {@code pgrep} (critest's "execSync with timeout"). So the exec'd
 * process and its children get SIGKILL, round after round until none is left alive (one forked in
 * between is caught by the next round), the parent reaps its child and exits by itself, and the call
 * waits until every killed process is gone from /proc: those whose parent died with them are
 * reaped by the container's init (the oci engine's catatonit, the nspawn pod's systemd).
 */
final class ProcessTree {
    private static final long ROUND_MILLIS = 10;

    /** A process as /proc names it: its pid and start time (clock ticks after boot), so a reused pid is another. */
    record Task(long pid, long startTime) {
    }

    private ProcessTree() {
    }

    /**
     * Kills the descendants of {@code process}, then waits for {@code process} to end and for the
     * killed ones to be reaped, within {@code limit}; past it {@code process} is killed too.
     *
     * @return whether everything below and including {@code process} was gone in time
     */
    static boolean killBelow(Process process, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Map<Long, Task> killed = new LinkedHashMap<>();
        while (true) {
            List<ProcessHandle> below = process.descendants().toList();
            boolean alive = false;
            for (ProcessHandle h : below) {
                Task t = task(h.pid());
                if (t == null || zombie(h.pid())) {
                    continue;
                }
                alive = true;
                killed.putIfAbsent(t.pid(), t);
                h.destroyForcibly();
            }
            if (!alive || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(ROUND_MILLIS);
        }
        long left = Math.max(0, deadline - System.nanoTime());
        if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(1, TimeUnit.SECONDS);
            return false;
        }
        while (killed.values().stream().anyMatch(ProcessTree::exists)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(ROUND_MILLIS);
        }
        return true;
    }

    /** Whether {@code t} is still in /proc, a zombie included. */
    static boolean exists(Task t) {
        Task now = task(t.pid());
        return now != null && now.startTime() == t.startTime();
    }

    /** The process {@code pid} as /proc shows it now, or null when there is none. */
    static Task task(long pid) {
        String[] fields = statFields(pid);
        return fields == null ? null : new Task(pid, Long.parseLong(fields[19]));
    }

    static boolean zombie(long pid) {
        String[] fields = statFields(pid);
        return fields != null && ("Z".equals(fields[0]) || "X".equals(fields[0]));
    }

    /** The fields of /proc/PID/stat after the command's name (its state first), or null. */
    private static String[] statFields(long pid) {
        try {
            return fields(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return null;
        }
    }

    /** The fields of a /proc/PID/stat line after the command's name, which may hold blanks and parentheses. */
    static String[] fields(String stat) {
        int close = stat.lastIndexOf(')');
        String[] fields = stat.substring(close + 2).trim().split(" ");
        return fields.length > 19 ? fields : null;
    }
}
