package org.bosun.api.app;

/**
 * The pressure stall information (the kernel's PSI) of one resource of a cgroup, from its
 * {@code cpu.pressure}, {@code memory.pressure} or {@code io.pressure} (cgroup v2, on a hybrid host
 * the unified hierarchy's directory).
 *
 * @param some the share of time at least one task stalled on the resource
 * @param full the share of time all non-idle tasks stalled at once; null where the kernel gives no
 *        {@code full} line
 * @since 1.2
 */
public record Pressure(Stall some, Stall full) {
    /**
     * One line of a pressure file.
     *
     * @param avg10 the percentage of time stalled over the last 10 s
     * @param avg60 over the last 60 s
     * @param avg300 over the last 300 s
     * @param totalMicros the time stalled since the cgroup was made, in microseconds (cumulative)
     */
    public record Stall(double avg10, double avg60, double avg300, long totalMicros) {
    }
}
