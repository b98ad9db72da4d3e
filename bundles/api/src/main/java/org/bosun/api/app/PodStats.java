package org.bosun.api.app;

import java.time.Instant;
import java.util.List;

/**
 * What a running pod uses: the pod's cgroups (its apps and the engine's own processes in it), the
 * interfaces of its network namespace (loopback left out; empty for a pod on the host's network,
 * whose traffic is the host's), and each app's own figures.
 *
 * @since 1.1
 */
public record PodStats(ResourceUsage usage, Instant networkTimestamp, List<InterfaceUsage> interfaces,
        List<AppStats> apps) {
    public PodStats {
        interfaces = List.copyOf(interfaces);
        apps = List.copyOf(apps);
    }
}
