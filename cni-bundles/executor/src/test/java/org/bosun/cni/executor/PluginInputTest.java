package org.bosun.cni.executor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.cni.api.NetworkConfig;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

public class PluginInputTest {
    private static final NetworkConfig NET = ConfigParser.parse("""
            {"cniVersion": "1.0.0", "name": "mynet", "plugins": [
              {"type": "bridge", "name": "ignored", "cniVersion": "0.3.0"},
              {"type": "portmap", "capabilities": {"portMappings": true, "bandwidth": false}},
              {"type": "tuning", "capabilities": {"mac": true, "dns": true}, "runtimeConfig": {"written": 1, "mac": "x"}}]}""",
            "test");

    private static Map<String, Object> everyCapability() {
        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("portMappings", List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp")));
        caps.put("dns", Map.of("servers", List.of("10.0.0.53")));
        caps.put("ips", List.of("10.1.0.9/24"));
        caps.put("mac", "c2:11:22:33:44:55");
        caps.put("bandwidth", Map.of("ingressRate", 1000, "ingressBurst", 100));
        return caps;
    }

    @Test
    public void runtimeConfigCarriesOnlyTheCapabilitiesAPluginDeclares() {
        ObjectNode bridge = PluginInput.build(NET, NET.plugins().get(0), null, everyCapability());
        assertFalse(bridge.has("runtimeConfig"));
        ObjectNode portmap = PluginInput.build(NET, NET.plugins().get(1), null, everyCapability());
        assertEquals(List.of("portMappings"), fieldNames(portmap.get("runtimeConfig")));
        assertEquals(8080, portmap.get("runtimeConfig").get("portMappings").get(0).get("hostPort").asInt());
        ObjectNode tuning = PluginInput.build(NET, NET.plugins().get(2), null, everyCapability());
        assertEquals(List.of("written", "mac", "dns"), fieldNames(tuning.get("runtimeConfig")));
        assertEquals("c2:11:22:33:44:55", tuning.get("runtimeConfig").get("mac").asText());
    }

    @Test
    public void aDeclaredCapabilityWithoutAValueAddsNoRuntimeConfig() {
        ObjectNode portmap = PluginInput.build(NET, NET.plugins().get(1), null, Map.of("dns", Map.of()));
        assertFalse(portmap.has("runtimeConfig"));
    }

    @Test
    public void everyPluginGetsTheListsNameAndVersionAndThePreviousResult() throws Exception {
        JsonNode prev = Json.MAPPER.readTree("{\"cniVersion\": \"1.0.0\", \"ips\": [{\"address\": \"10.1.0.2/24\"}]}");
        ObjectNode bridge = PluginInput.build(NET, NET.plugins().get(0), null, Map.of());
        assertEquals("mynet", bridge.get("name").asText());
        assertEquals("1.0.0", bridge.get("cniVersion").asText());
        assertFalse(bridge.has("prevResult"));
        ObjectNode portmap = PluginInput.build(NET, NET.plugins().get(1), prev, Map.of());
        assertEquals(prev, portmap.get("prevResult"));
        assertTrue(portmap.get("capabilities").get("portMappings").asBoolean());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
