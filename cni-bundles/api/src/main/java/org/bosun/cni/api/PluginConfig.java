package org.bosun.cni.api;

import java.util.Set;

/**
 * One plugin of a {@link NetworkConfig}.
 *
 * @param type the plugin's binary name
 * @param ipamType the IPAM plugin it calls ({@code ipam.type}), or null
 * @param capabilities the {@code runtimeConfig} capabilities it declares as {@code true}
 * @param json its configuration object as written
 */
public record PluginConfig(String type, String ipamType, Set<String> capabilities, String json) {
    public PluginConfig {
        capabilities = Set.copyOf(capabilities);
    }
}
