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
 * @param podDir the pod directory, where the provider records what it did
 * @param netns the network namespace to attach
 * @param networks network names with their {@code CNI_ARGS}-style arguments, in order
 */
public record NetworkRequest(RuntimePaths paths, String podUuid, Path podDir, Path netns,
        List<Map.Entry<String, Map<String, String>>> networks) {
    public NetworkRequest {
        networks = List.copyOf(networks);
    }
}
