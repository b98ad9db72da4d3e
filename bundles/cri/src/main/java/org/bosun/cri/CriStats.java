package org.bosun.cri;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppService;
import org.bosun.api.app.AppStats;
import org.bosun.api.app.InterfaceUsage;
import org.bosun.api.app.LayerUsage;
import org.bosun.api.app.PodStats;
import org.bosun.api.app.Pressure;
import org.bosun.api.app.ResourceUpdate;
import org.bosun.api.app.ResourceUsage;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.bosun.cri.v1.ContainerAttributes;
import org.bosun.cri.v1.ContainerStats;
import org.bosun.cri.v1.ContainerStatsFilter;
import org.bosun.cri.v1.ContainerStatus;
import org.bosun.cri.v1.CpuUsage;
import org.bosun.cri.v1.FilesystemIdentifier;
import org.bosun.cri.v1.FilesystemUsage;
import org.bosun.cri.v1.IoUsage;
import org.bosun.cri.v1.LinuxContainerResources;
import org.bosun.cri.v1.LinuxPodSandboxStats;
import org.bosun.cri.v1.MemoryUsage;
import org.bosun.cri.v1.NetworkInterfaceUsage;
import org.bosun.cri.v1.NetworkUsage;
import org.bosun.cri.v1.PodSandboxAttributes;
import org.bosun.cri.v1.PodSandboxStats;
import org.bosun.cri.v1.PodSandboxStatsFilter;
import org.bosun.cri.v1.ProcessUsage;
import org.bosun.cri.v1.PsiData;
import org.bosun.cri.v1.PsiStats;
import org.bosun.cri.v1.SwapUsage;
import org.bosun.cri.v1.UInt64Value;

/**
 * Container and sandbox statistics and resource updates on the app service's
 * ({@link AppService#stats}, {@link AppService#podStats}, {@link AppService#updateResources}): the
 * figures are the engine's, read from the pod's cgroups, its apps' writable layers and its network
 * namespace; this class only maps them onto the CRI's messages. A container that does not run has
 * its writable layer and no CPU or memory figures; a sandbox that does not run has no statistics.
 */
final class CriStats {
    /** The interface kubelet reports as the pod's (the CNI convention). */
    static final String DEFAULT_INTERFACE = "eth0";

    /** How long a container's or sandbox's last CPU sample is kept without a newer one. */
    static final java.time.Duration SAMPLE_KEPT = java.time.Duration.ofMinutes(10);

    private final AppService apps;
    private final RuntimePaths paths;
    private final CpuSamples samples = new CpuSamples();
    private final CriSandboxes sandboxes;
    private final CriContainers containers;

    CriStats(AppService apps, RuntimePaths paths, CriSandboxes sandboxes, CriContainers containers) {
        this.apps = apps;
        this.paths = paths;
        this.sandboxes = sandboxes;
        this.containers = containers;
    }

    ContainerStats container(String id) {
        CriContainers.Id c = containers.find(id);
        ContainerStatus status = containers.status(id);
        if (sandboxes.find(c.uuid()).state() != PodState.RUNNING) {
            throw BosunException.precondition("the sandbox of container " + id + " is not running; a stopped"
                    + " sandbox's containers have no statistics");
        }
        return stats(status, apps.stats(paths, c.uuid(), c.app()));
    }

    List<ContainerStats> containers(ContainerStatsFilter filter) {
        List<ContainerStats> out = new ArrayList<>();
        for (PodInfo pod : sandboxes.sandboxes()) {
            if (pod.state() != PodState.RUNNING
                    || !filter.getPodSandboxId().isEmpty() && !filter.getPodSandboxId().equals(pod.uuid())) {
                continue;
            }
            List<ContainerStatus> selected = new ArrayList<>();
            for (ContainerStatus s : containers.statuses(pod)) {
                if ((filter.getId().isEmpty() || filter.getId().equals(s.getId()))
                        && CriContainers.selects(filter.getLabelSelectorMap(), s.getLabelsMap())) {
                    selected.add(s);
                }
            }
            if (selected.isEmpty()) {
                continue;
            }
            PodStats stats = podStats(pod);
            if (stats != null) {
                out.addAll(containerStats(pod, selected, stats));
            }
        }
        return out;
    }

    PodSandboxStats sandbox(String id) {
        PodInfo pod = sandboxes.find(id);
        if (pod.state() != PodState.RUNNING) {
            throw BosunException.precondition("pod sandbox " + id + " is " + pod.state().label() + "; only a running"
                    + " sandbox has statistics");
        }
        return sandbox(pod, apps.podStats(paths, pod.uuid()));
    }

    List<PodSandboxStats> sandboxes(PodSandboxStatsFilter filter) {
        List<PodSandboxStats> out = new ArrayList<>();
        for (PodInfo pod : sandboxes.sandboxes()) {
            if (pod.state() != PodState.RUNNING || !filter.getId().isEmpty() && !filter.getId().equals(pod.uuid())
                    || !CriContainers.selects(filter.getLabelSelectorMap(), pod.userLabels())) {
                continue;
            }
            PodStats stats = podStats(pod);
            if (stats != null) {
                out.add(sandbox(pod, stats));
            }
        }
        return out;
    }

    /**
     * A sandbox's statistics for a list; null if it stopped meanwhile, or if its engine reports none
     * (nspawn: its ContainerStats and PodSandboxStats say so), so one such sandbox does not fail the
     * whole list.
     */
    private PodStats podStats(PodInfo pod) {
        try {
            return apps.podStats(paths, pod.uuid());
        } catch (BosunException e) {
            if (e.kind() == ErrorKind.NOT_FOUND || e.kind() == ErrorKind.FAILED_PRECONDITION
                    || e.kind() == ErrorKind.NOT_IMPLEMENTED) {
                return null;
            }
            throw e;
        }
    }

    private PodSandboxStats sandbox(PodInfo pod, PodStats stats) {
        LinuxPodSandboxStats.Builder linux = LinuxPodSandboxStats.newBuilder();
        usage(SANDBOX_KEY + pod.uuid(), stats.usage(), linux::setCpu, linux::setMemory, linux::setIo, null);
        if (stats.usage().processes() != null) {
            linux.setProcess(ProcessUsage.newBuilder().setTimestamp(nanos(stats.usage().timestamp()))
                    .setProcessCount(u64(stats.usage().processes())));
        }
        NetworkUsage.Builder network = NetworkUsage.newBuilder().setTimestamp(nanos(stats.networkTimestamp()));
        for (InterfaceUsage i : stats.interfaces()) {
            NetworkInterfaceUsage n = NetworkInterfaceUsage.newBuilder().setName(i.name()).setRxBytes(u64(i.rxBytes()))
                    .setRxErrors(u64(i.rxErrors())).setTxBytes(u64(i.txBytes())).setTxErrors(u64(i.txErrors())).build();
            network.addInterfaces(n);
            if (i.name().equals(DEFAULT_INTERFACE)) {
                network.setDefaultInterface(n);
            }
        }
        linux.setNetwork(network);
        linux.addAllContainers(containerStats(pod, containers.statuses(pod), stats));
        return PodSandboxStats.newBuilder().setAttributes(PodSandboxAttributes.newBuilder().setId(pod.uuid())
                .setMetadata(CriSandboxes.metadata(pod)).putAllLabels(pod.userLabels())
                .putAllAnnotations(pod.userAnnotations())).setLinux(linux).build();
    }

    private List<ContainerStats> containerStats(PodInfo pod, List<ContainerStatus> statuses, PodStats stats) {
        Map<String, AppStats> byApp = new HashMap<>();
        stats.apps().forEach(a -> byApp.put(a.app(), a));
        List<ContainerStats> out = new ArrayList<>();
        for (ContainerStatus s : statuses) {
            AppStats a = byApp.get(CriContainers.Id.parse(s.getId()).app());
            if (a != null) {
                out.add(stats(s, a));
            }
        }
        return out;
    }

    private ContainerStats stats(ContainerStatus status, AppStats stats) {
        ContainerStats.Builder out = ContainerStats.newBuilder().setAttributes(ContainerAttributes.newBuilder()
                .setId(status.getId()).setMetadata(status.getMetadata()).putAllLabels(status.getLabelsMap())
                .putAllAnnotations(status.getAnnotationsMap()));
        if (stats.usage() != null) {
            usage(status.getId(), stats.usage(), out::setCpu, out::setMemory, out::setIo, out::setSwap);
        }
        LayerUsage layer = stats.writableLayer();
        if (layer != null) {
            out.setWritableLayer(FilesystemUsage.newBuilder().setTimestamp(nanos(layer.timestamp()))
                    .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(layer.mountpoint()))
                    .setUsedBytes(u64(layer.usedBytes())).setInodesUsed(u64(layer.inodesUsed())));
        }
        return out.build();
    }

    /** The key of a sandbox's CPU samples (a container's is its id, which has no such prefix). */
    private static final String SANDBOX_KEY = "sandbox/";

    /** The figures of {@code u} as the CRI's messages; {@code swap} null where the message has none (a sandbox's). */
    private void usage(String key, ResourceUsage u, java.util.function.Consumer<CpuUsage> cpu,
            java.util.function.Consumer<MemoryUsage> memory, java.util.function.Consumer<IoUsage> io,
            java.util.function.Consumer<SwapUsage> swap) {
        long at = nanos(u.timestamp());
        CpuUsage.Builder c = CpuUsage.newBuilder().setTimestamp(at);
        if (u.cpuUsageNanos() != null) {
            c.setUsageCoreNanoSeconds(u64(u.cpuUsageNanos()));
            Long rate = samples.nanoCores(key, at, u.cpuUsageNanos());
            if (rate != null) {
                c.setUsageNanoCores(u64(rate));
            }
        }
        if (u.cpuPressure() != null) {
            c.setPsi(psi(u.cpuPressure()));
        }
        cpu.accept(c.build());
        MemoryUsage.Builder m = MemoryUsage.newBuilder().setTimestamp(at);
        if (u.memoryUsageBytes() != null) {
            m.setUsageBytes(u64(u.memoryUsageBytes()));
        }
        if (u.memoryWorkingSetBytes() != null) {
            m.setWorkingSetBytes(u64(u.memoryWorkingSetBytes()));
        }
        if (u.memoryRssBytes() != null) {
            m.setRssBytes(u64(u.memoryRssBytes()));
        }
        if (u.pageFaults() != null) {
            m.setPageFaults(u64(u.pageFaults()));
        }
        if (u.majorPageFaults() != null) {
            m.setMajorPageFaults(u64(u.majorPageFaults()));
        }
        if (u.memoryPressure() != null) {
            m.setPsi(psi(u.memoryPressure()));
        }
        memory.accept(m.build());
        if (u.ioPressure() != null) {
            io.accept(IoUsage.newBuilder().setTimestamp(at).setPsi(psi(u.ioPressure())).build());
        }
        if (swap != null && u.swapUsageBytes() != null) {
            swap.accept(SwapUsage.newBuilder().setTimestamp(at).setSwapUsageBytes(u64(u.swapUsageBytes())).build());
        }
    }

    /** The kernel's PSI as the CRI's: totals in microseconds, averages in percent, as the pressure files give them. */
    static PsiStats psi(Pressure p) {
        PsiStats.Builder out = PsiStats.newBuilder().setSome(psi(p.some()));
        if (p.full() != null) {
            out.setFull(psi(p.full()));
        }
        return out.build();
    }

    private static PsiData psi(Pressure.Stall s) {
        return PsiData.newBuilder().setTotal(s.totalMicros()).setAvg10(s.avg10()).setAvg60(s.avg60())
                .setAvg300(s.avg300()).build();
    }

    /**
     * Applies a container's new Linux resources. Refused (nothing changes): hugepage limits, unified
     * (cgroup v2) entries, a swap limit other than the memory limit, and oom_score_adj, which is set
     * when a container starts and cannot change while it runs.
     */
    ResourceUpdate update(String id, LinuxContainerResources r) {
        CriContainers.Id c = containers.find(id);
        if (r.getHugepageLimitsCount() > 0) {
            throw BosunException.invalid("hugepage_limits of container " + id + " cannot be updated: bosun does not"
                    + " limit hugepages; leave them out");
        }
        if (r.getUnifiedCount() > 0) {
            throw BosunException.invalid("unified entries (" + String.join(", ", r.getUnifiedMap().keySet())
                    + ") of container " + id + " cannot be applied: bosun sets no cgroup v2 files by name;"
                    + " leave unified empty");
        }
        if (r.getMemorySwapLimitInBytes() != 0 && r.getMemorySwapLimitInBytes() != r.getMemoryLimitInBytes()) {
            throw BosunException.invalid("memory_swap_limit_in_bytes of container " + id + " differs from its memory"
                    + " limit: bosun does not set a separate swap limit; give the same value or 0");
        }
        if (r.getOomScoreAdj() != 0) {
            throw BosunException.invalid("oom_score_adj of container " + id + " cannot change while it runs; give 0"
                    + " (it is set when the container starts)");
        }
        ResourceUpdate update = new ResourceUpdate(r.getCpuShares() > 0 ? r.getCpuShares() : null,
                r.getCpuQuota() != 0 ? r.getCpuQuota() : null, r.getCpuPeriod() != 0 ? r.getCpuPeriod() : null,
                r.getCpusetCpus().isEmpty() ? null : r.getCpusetCpus(),
                r.getCpusetMems().isEmpty() ? null : r.getCpusetMems(),
                r.getMemoryLimitInBytes() != 0 ? r.getMemoryLimitInBytes() : null);
        return apps.updateResources(paths, c.uuid(), c.app(), update);
    }

    /** The resources updates gave a container, as the CRI shows them; null if none did. */
    LinuxContainerResources resources(String id) {
        CriContainers.Id c = containers.find(id);
        return resources(apps.updatedResources(paths, c.uuid(), c.app()));
    }

    static LinuxContainerResources resources(ResourceUpdate u) {
        if (u.isEmpty()) {
            return null;
        }
        LinuxContainerResources.Builder r = LinuxContainerResources.newBuilder();
        if (u.cpuShares() != null) {
            r.setCpuShares(u.cpuShares());
        }
        if (u.cpuQuotaMicros() != null) {
            r.setCpuQuota(u.cpuQuotaMicros());
        }
        if (u.cpuPeriodMicros() != null) {
            r.setCpuPeriod(u.cpuPeriodMicros());
        }
        if (u.cpusetCpus() != null) {
            r.setCpusetCpus(u.cpusetCpus());
        }
        if (u.cpusetMems() != null) {
            r.setCpusetMems(u.cpusetMems());
        }
        if (u.memoryLimitBytes() != null) {
            r.setMemoryLimitInBytes(u.memoryLimitBytes());
        }
        return r.build();
    }

    /**
     * The last CPU sample of each container and sandbox, as cadvisor and containerd keep it:
     * {@code usage_nano_cores} is the CPU time used between the previous sample and this one over
     * the time between them (nanoseconds of CPU per second, 10^9 a whole core). The first sample of
     * a container, and one whose counter went back (a new cgroup), has none: left unset, so that a
     * kubelet computes its own rather than read a 0. A sample older than {@link #SAMPLE_KEPT} is
     * forgotten (its container is gone, or no one asked for so long that the rate would mean little).
     */
    static final class CpuSamples {
        private record Sample(long at, long usage) {
        }

        private final Map<String, Sample> last = new java.util.concurrent.ConcurrentHashMap<>();

        /** Records the sample (nanoseconds since the epoch, cumulative CPU nanoseconds); the rate since the last, or null. */
        Long nanoCores(String key, long at, long usage) {
            long oldest = at - SAMPLE_KEPT.toNanos();
            last.values().removeIf(s -> s.at() < oldest);
            Sample now = new Sample(at, usage);
            Sample before = last.get(key);
            if (before != null && at <= before.at()) {
                // an older sample than the last (two callers at once): the newer one stays the base
                return null;
            }
            last.put(key, now);
            if (before == null || usage < before.usage()) {
                return null;
            }
            return java.math.BigInteger.valueOf(usage - before.usage()).multiply(java.math.BigInteger.valueOf(1_000_000_000L))
                    .divide(java.math.BigInteger.valueOf(at - before.at())).longValue();
        }

        int size() {
            return last.size();
        }
    }

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static UInt64Value u64(long v) {
        return UInt64Value.newBuilder().setValue(v).build();
    }
}
