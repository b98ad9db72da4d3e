package org.bosun.launcher;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;

/**
 * Where an in-process command's start-up goes, phase by phase, on stderr when {@code BOSUN_TIMING=1}:
 * each line is the JVM's uptime and the time since the previous mark, in ms. Off, it costs one
 * environment lookup.
 */
final class Timing {
    private static final boolean ON = "1".equals(System.getenv("BOSUN_TIMING"));
    private static long last = -1;

    private Timing() {
    }

    static boolean on() {
        return ON;
    }

    static void mark(String phase) {
        if (!ON) {
            return;
        }
        long now = ManagementFactory.getRuntimeMXBean().getUptime();
        PrintStream err = System.err;
        err.println("bosun-timing: " + now + " ms (+" + (last < 0 ? now : now - last) + ") " + phase);
        last = now;
    }
}
