package org.bosun.api.app;

/**
 * New cgroup limits for a running app, as {@code runc update} and {@code crun update} apply them;
 * a null field is left as it is.
 *
 * @param cpuShares relative CPU weight (cgroup v1 shares, 2..262144)
 * @param cpuQuotaMicros CPU time the app may use per period, in microseconds ({@code -1}: no limit)
 * @param cpuPeriodMicros the CFS period, in microseconds (1000..1000000)
 * @param cpusetCpus the CPUs the app may run on ({@code 0-1,3})
 * @param cpusetMems the memory nodes the app may use
 * @param memoryLimitBytes the memory limit in bytes ({@code -1}: no limit)
 * @since 1.1
 */
public record ResourceUpdate(Long cpuShares, Long cpuQuotaMicros, Long cpuPeriodMicros, String cpusetCpus,
        String cpusetMems, Long memoryLimitBytes) {
    public static final ResourceUpdate NONE = new ResourceUpdate(null, null, null, null, null, null);

    /** This update with {@code later}'s fields over it: what an app has after both. */
    public ResourceUpdate then(ResourceUpdate later) {
        return new ResourceUpdate(later.cpuShares != null ? later.cpuShares : cpuShares,
                later.cpuQuotaMicros != null ? later.cpuQuotaMicros : cpuQuotaMicros,
                later.cpuPeriodMicros != null ? later.cpuPeriodMicros : cpuPeriodMicros,
                later.cpusetCpus != null ? later.cpusetCpus : cpusetCpus,
                later.cpusetMems != null ? later.cpusetMems : cpusetMems,
                later.memoryLimitBytes != null ? later.memoryLimitBytes : memoryLimitBytes);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }
}
