package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The pod's PID 1 as the host sees it: the only child of systemd-nspawn, first the init script,
 * then systemd.
 */
final class PodInit {
    /** glibc's SIGRTMIN (34) + 3, which systemd-nspawn sends the pod's init on SIGTERM. */
    static final int SIGRTMIN_3 = 37;

    private PodInit() {
    }

    static Optional<ProcessHandle> of(ProcessHandle nspawn) {
        return nspawn.children().findFirst();
    }

    /**
     * Waits until the pod's systemd takes SIGRTMIN+3, at most {@code timeout}: the init of a PID
     * namespace does not get signals it neither handles nor blocks, so one sent while the pod is
     * still starting would be lost. Returns whether systemd is ready.
     */
    static boolean awaitSystemd(ProcessHandle nspawn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (nspawn.isAlive()) {
            Optional<ProcessHandle> init = of(nspawn);
            if (init.isPresent() && isSystemdTaking(init.get().pid(), SIGRTMIN_3)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static boolean isSystemdTaking(long pid, int signal) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            if (!Files.readString(proc.resolve("comm")).trim().equals("systemd")) {
                return false;
            }
            // systemd blocks the signals it reads from a signalfd; the kernel queues a blocked signal
            // for a namespace's init as it does a caught one.
            long handled = 0;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("SigBlk:") || line.startsWith("SigCgt:")) {
                    handled |= Long.parseUnsignedLong(line.substring("SigBlk:".length()).trim(), 16);
                }
            }
            return (handled >>> (signal - 1) & 1) == 1;
        } catch (IOException | NumberFormatException e) {
            // gone, or changing
        }
        return false;
    }
}
