package org.bosun.cni.executor;

import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.cni.api.NetworkConfig;
import org.bosun.cni.api.PluginConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The configuration one plugin of a list reads on stdin: its own configuration with the list's
 * {@code name} and {@code cniVersion}, the {@code prevResult}, and a {@code runtimeConfig} holding
 * only the capabilities the plugin declares (CONVENTIONS.md).
 */
final class PluginInput {
    private PluginInput() {
    }

    static ObjectNode build(NetworkConfig network, PluginConfig plugin, JsonNode prevResult,
            Map<String, Object> capabilityArgs) {
        ObjectNode conf;
        try {
            conf = (ObjectNode) Json.MAPPER.readTree(plugin.json());
        } catch (JsonProcessingException e) {
            throw BosunException.internal("configuration of plugin " + plugin.type() + " is no longer JSON", e);
        }
        conf.put("cniVersion", network.cniVersion());
        conf.put("name", network.name());
        conf.remove("prevResult");
        if (prevResult != null) {
            conf.set("prevResult", prevResult);
        }
        ObjectNode runtimeConfig = null;
        for (Map.Entry<String, Object> capability : capabilityArgs.entrySet()) {
            if (!plugin.capabilities().contains(capability.getKey()) || capability.getValue() == null) {
                continue;
            }
            if (runtimeConfig == null) {
                // A runtimeConfig written in the file stays; the runtime's values win per key.
                runtimeConfig = conf.get("runtimeConfig") instanceof ObjectNode written ? written : conf.putObject("runtimeConfig");
            }
            runtimeConfig.set(capability.getKey(), Json.MAPPER.valueToTree(capability.getValue()));
        }
        return conf;
    }
}
