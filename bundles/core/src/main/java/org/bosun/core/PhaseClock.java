package org.bosun.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time per phase of one pod's preparation, for the line {@code --debug} shows: where the
 * time of a {@code run} goes, measured on the user's own machine. Phases of the same name (one
 * per app) add up. Not thread-safe: one per preparation.
 */
final class PhaseClock {
    private final long start = System.nanoTime();
    private long last = start;
    private final Map<String, Long> phases = new LinkedHashMap<>();

    /** Ends the phase running since the previous lap (or the start) and names it. */
    void lap(String phase) {
        long now = System.nanoTime();
        phases.merge(phase, now - last, Long::sum);
        last = now;
    }

    /** {@code prepare took 41 ms: image 3, tree 1, ...}, in the order the phases first ended. */
    String summary() {
        StringBuilder line = new StringBuilder("prepare took ").append(millis(last - start)).append(" ms:");
        String separator = " ";
        for (Map.Entry<String, Long> phase : phases.entrySet()) {
            line.append(separator).append(phase.getKey()).append(' ').append(millis(phase.getValue()));
            separator = ", ";
        }
        return line.toString();
    }

    private static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
