package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.host.files.MountPoints;

/** What this host lets the engine do, read from /proc. */
final class HostLimits {
    static final int CAP_SYS_RESOURCE = 24;

    private HostLimits() {
    }

    /**
     * The lowest {@code oom_score_adj} the engine may give an app: -1000 with CAP_SYS_RESOURCE,
     * else its own (the kernel refuses to lower it below the writer's own without that capability).
     */
    static int minimumOomScoreAdj() {
        try {
            long effective = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                }
            }
            if ((effective >>> CAP_SYS_RESOURCE & 1) == 1) {
                return -1000;
            }
            return Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Whether /usr/bin/awk is mawk, which buffers a pipe's input unless told not to. */
    static boolean awkIsMawk() {
        try {
            return Path.of(SupervisorScript.AWK).toRealPath().getFileName().toString().startsWith("mawk");
        } catch (IOException e) {
            return false;
        }
    }

    /** Mount points at or below {@code dir}, as this process sees them. */
    static List<String> mountsUnder(Path dir) {
        try {
            return MountPoints.under(dir).stream().map(Path::toString).toList();
        } catch (IOException e) {
            return List.of(); // no /proc: nothing to check
        }
    }
}
