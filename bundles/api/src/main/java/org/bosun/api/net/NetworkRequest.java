package org.bosun.api.net;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.RuntimePaths;

/**
 * The networks one pod asks for.
 *
 * @param paths where configuration and state are
 * @param podUuid the pod
 * @param podDir where the provider records what it did: the pod's host-wide record directory (the pod
 *        directory's {@code net/} links into it), so that what the pod holds on the host can be
 *        released even after its data directory is gone
 * @param netns the network namespace to attach
 * @param networks network names with their {@code CNI_ARGS}-style arguments, in order
 * @param portMappings host ports to forward into the pod (CNI's {@code portMappings} capability)
 */
public record NetworkRequest(RuntimePaths paths, String podUuid, Path podDir, Path netns,
        List<Map.Entry<String, Map<String, String>>> networks, List<PortMapping> portMappings) {
    public NetworkRequest {
        networks = List.copyOf(networks);
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    }

    /** A request without port mappings. */
    public NetworkRequest(RuntimePaths paths, String podUuid, Path podDir, Path netns,
            List<Map.Entry<String, Map<String, String>>> networks) {
        this(paths, podUuid, podDir, netns, networks, null);
    }

    /**
     * One forwarded port, as CNI's {@code portMappings} capability carries it.
     *
     * @param hostPort the port on the host
     * @param containerPort the port inside the pod
     * @param protocol {@code tcp} or {@code udp}
     * @param hostIp the host address to listen on, or null for all
     */
    public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {
    }
}
