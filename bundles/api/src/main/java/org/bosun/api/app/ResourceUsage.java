package org.bosun.api.app;

import java.time.Instant;

/**
 * What the processes of an app or a pod use of the host, read from their cgroups at one instant;
 * a null figure is one the host's cgroups do not give.
 *
 * @param timestamp when the figures were read
 * @param cpuUsageNanos CPU time used since the cgroup was made, in nanoseconds (cumulative)
 * @param memoryUsageBytes memory charged to the cgroup, page cache included
 * @param memoryWorkingSetBytes usage less the inactive file cache, as kubelet and cAdvisor define
 *        the working set (never below zero)
 * @param memoryRssBytes anonymous memory (cgroup v1 {@code rss}, v2 {@code anon})
 * @param pageFaults page faults (cumulative)
 * @param majorPageFaults major page faults (cumulative)
 * @param processes the processes in the cgroup and below it
 * @param swapUsageBytes swap used by the cgroup (v1: {@code memory.memsw.usage_in_bytes} less
 *        {@code memory.usage_in_bytes}, as cAdvisor computes it; v2: {@code memory.swap.current});
 *        null where the host does not account swap (since 1.2)
 * @param cpuPressure the CPU's pressure stall information, or null (since 1.2)
 * @param memoryPressure memory's, or null (since 1.2)
 * @param ioPressure I/O's, or null (since 1.2)
 * @since 1.1
 */
public record ResourceUsage(Instant timestamp, Long cpuUsageNanos, Long memoryUsageBytes, Long memoryWorkingSetBytes,
        Long memoryRssBytes, Long pageFaults, Long majorPageFaults, Long processes, Long swapUsageBytes,
        Pressure cpuPressure, Pressure memoryPressure, Pressure ioPressure) {
    /** The figures of 1.1: no swap and no pressure figures. */
    public ResourceUsage(Instant timestamp, Long cpuUsageNanos, Long memoryUsageBytes, Long memoryWorkingSetBytes,
            Long memoryRssBytes, Long pageFaults, Long majorPageFaults, Long processes) {
        this(timestamp, cpuUsageNanos, memoryUsageBytes, memoryWorkingSetBytes, memoryRssBytes, pageFaults,
                majorPageFaults, processes, null, null, null, null);
    }
}
