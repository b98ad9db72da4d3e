package org.bosun.api.pod;

/**
 * Resource isolators of one app. Null means "not limited".
 *
 * @param memoryBytes memory limit ({@code --memory=512M})
 * @param cpuMillis CPU limit in thousandths of a CPU ({@code --cpu=500m} or {@code --cpu=2})
 * @param cpuShares relative CPU weight, cgroup v1 shares (2..262144; {@code --cpu-shares})
 * @param oomScoreAdj the app's {@code oom_score_adj} (-1000..1000)
 */
public record Resources(Long memoryBytes, Long cpuMillis, Long cpuShares, Integer oomScoreAdj) {
    public static final Resources NONE = new Resources(null, null, null, null);
}
