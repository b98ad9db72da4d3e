package org.bosun.core;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bosun.host.cgroup.ProcessCgroupFiles;

/**
 * Keeps the kernel's cgroup migration lock warm while a pod is launched.
 *
 * <p>Every engine starts a pod by moving its process into the pod's cgroups (the oci engine's
 * {@code engine/run} moves itself into one cgroup per hierarchy; runtimes then move each container).
 * The first move after a quiet spell waits for an RCU grace period: the kernel's global
 * {@code cgroup_threadgroup_rwsem} is a per-CPU rw-semaphore whose writers must first wait for all
 * readers to switch to its slow path (unless the hierarchy is mounted with {@code favordynmods},
 * which bosun will not change on the host). Measured here: 8 to 15 ms for the first move, 20 µs
 * for each that follows within about 10 ms of another. That wait is a tenth of a whole
 * {@code bosun run}.
 *
 * <p>So from the moment {@link PodServiceImpl#run} (prepare, then launch) or
 * {@link PodServiceImpl#launch} starts until shortly after the {@code PodLaunch} is ready, this
 * primer moves its own process into the cgroup it is already in (writing {@code 0}, "the writer",
 * to that cgroup's {@code cgroup.procs}: a migration that changes nothing) every 2 ms. The grace
 * period is waited for here, while the pod is being prepared, and the pod's own moves that follow
 * the caller's exec find the lock warm. The lock is the kernel's, not a cgroup's, so priming from
 * the process that prepares the pod (the agent, or the launcher's own framework) warms it for the
 * caller that execs. Nothing about any cgroup changes; a failure to write only means no priming.
 */
final class CgroupMigrationPrimer implements AutoCloseable {
    static final long INTERVAL_MILLIS = 2;
    /** Never longer than this, whatever happens to the command. */
    static final long LIMIT_MILLIS = 5_000;
    /** How long after the plan is ready: the launcher's exec and the engine's first moves take a few ms. */
    static final long LINGER_MILLIS = 50;

    private static volatile Optional<Path> ownProcsFile;

    private final Thread thread;
    private volatile long stopAtNanos;
    private volatile boolean lingering;
    private volatile int writes;

    private CgroupMigrationPrimer(Path procs) {
        this.stopAtNanos = System.nanoTime() + LIMIT_MILLIS * 1_000_000;
        this.thread = new Thread(() -> prime(procs), "bosun-cgroup-primer");
        this.thread.setDaemon(true);
    }

    /** Starts priming, or returns a primer that does nothing where this process has no cgroup file. */
    static CgroupMigrationPrimer start() {
        Optional<Path> procs = ownProcsFile();
        CgroupMigrationPrimer primer = new CgroupMigrationPrimer(procs.orElse(null));
        if (procs.isPresent()) {
            primer.thread.start();
        }
        return primer;
    }

    /** The launch is ready: prime a little longer, for the moves right after the caller's exec, then stop. */
    void linger() {
        lingering = true;
        stopAtNanos = Math.min(stopAtNanos, System.nanoTime() + LINGER_MILLIS * 1_000_000);
    }

    /** Stops at once, unless {@link #linger()} was called (the launch failed before it was ready). */
    @Override
    public void close() {
        if (!lingering) {
            stopAtNanos = System.nanoTime();
        }
    }

    /** How many moves were written so far. */
    int writes() {
        return writes;
    }

    /** Waits for the priming thread to end (tests). */
    void join() throws InterruptedException {
        if (thread.isAlive()) {
            thread.join();
        }
    }

    private void prime(Path procs) {
        byte[] self = "0".getBytes(StandardCharsets.US_ASCII);
        try (FileOutputStream out = new FileOutputStream(procs.toFile())) {
            while (System.nanoTime() - stopAtNanos < 0) {
                out.write(self);
                writes++;
                Thread.sleep(INTERVAL_MILLIS);
            }
        } catch (IOException | RuntimeException e) {
            // no priming, the pod's moves just wait as they would anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Optional<Path> ownProcsFile() {
        Optional<Path> file = ownProcsFile;
        if (file == null) {
            try {
                file = procsFile(ProcessCgroupFiles.of(ProcessHandle.current().pid()));
            } catch (IOException | RuntimeException e) {
                file = Optional.empty();
            }
            ownProcsFile = file;
        }
        return file;
    }

    /**
     * The {@code cgroup.procs} of this process's own cgroup, of its {@code cgroups}: in the cgroup2
     * hierarchy if one is mounted, else in the first mounted legacy hierarchy (the lock is the same
     * for all).
     */
    static Optional<Path> procsFile(List<ProcessCgroupFiles.Cgroup> cgroups) {
        return cgroups.stream().filter(ProcessCgroupFiles.Cgroup::unified).findFirst()
                .or(() -> cgroups.stream().findFirst()).map(ProcessCgroupFiles.Cgroup::procs);
    }
}
