package org.bosun.cni.api;

import java.util.List;

/**
 * A network configuration list, read by {@link CniExecutor#parse}.
 *
 * @param name the network's name
 * @param cniVersion the CNI version of the list and of every plugin call for it
 * @param disableCheck true when {@code CHECK} must not run for this network
 * @param plugins the plugins, in {@code ADD} order
 * @param json the whole list as JSON (a single plugin's configuration is wrapped into a list)
 * @param source where it was read from, for messages
 */
public record NetworkConfig(String name, String cniVersion, boolean disableCheck, List<PluginConfig> plugins,
        String json, String source) {
    public NetworkConfig {
        plugins = List.copyOf(plugins);
    }
}
