package org.bosun.stage1.oci;

import org.bosun.api.pod.Resources;

/** The container's cgroup and what it limits: its devices ({@link DeviceOpts}), the app's memory and cpu, its oom_score_adj. */
final class ResourceOpts {
    static final long CPU_PERIOD_MICROS = 100_000;

    private ResourceOpts() {
    }

    /** The container's cgroup, below the pod's (the supervisor's cgroup namespace is rooted there). */
    static SpecOpt cgroup(String id) {
        return spec -> spec.linux(l -> l.withCgroupsPath("/" + id));
    }

    /**
     * @param minimumOomScoreAdj the lowest {@code oom_score_adj} the host lets the engine give
     *        (without CAP_SYS_RESOURCE, nothing below the engine's own)
     * @param hostDevices whether the app may open every device (a privileged app)
     */
    static SpecOpt app(Resources r, int minimumOomScoreAdj, boolean hostDevices) {
        OciSpec.Memory memory = r.memoryBytes() == null ? null : new OciSpec.Memory(r.memoryBytes());
        OciSpec.Cpu cpu = r.cpuMillis() == null && r.cpuShares() == null ? null
                : new OciSpec.Cpu(r.cpuShares(), r.cpuMillis() == null ? null : r.cpuMillis() * CPU_PERIOD_MICROS / 1000,
                        r.cpuMillis() == null ? null : CPU_PERIOD_MICROS);
        OciSpec.Resources resources = new OciSpec.Resources(DeviceOpts.rules(hostDevices), memory, cpu);
        Integer oom = oomScoreAdj(r, minimumOomScoreAdj);
        return spec -> spec.linux(l -> l.withResources(resources)).process(p -> p.withOomScoreAdj(oom));
    }

    /** The app's {@code oom_score_adj}, raised to what the host allows; null for none. */
    static Integer oomScoreAdj(Resources resources, int minimumOomScoreAdj) {
        if (resources.oomScoreAdj() == null) {
            return null;
        }
        return Math.max(resources.oomScoreAdj(), minimumOomScoreAdj);
    }
}
