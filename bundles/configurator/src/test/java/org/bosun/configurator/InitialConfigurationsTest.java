package org.bosun.configurator;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class InitialConfigurationsTest {

    @Test
    public void eachJsonValueBecomesTheConfigurationAdminTypeADesignateAttributeReads() throws Exception {
        Map<String, Dictionary<String, Object>> c = InitialConfigurations.parse("""
                {"org.bosun.cni.networks.CniNetworkProvider": {"pluginDirs": ["/a", "/b"], "pluginTimeoutSeconds": 5,
                   "ratio": 0.5, "enabled": true, "builtinIpamDir": "/var/lib/x", "none": []},
                 "org.example.Factory~one": {"n": 1}}
                """);
        assertEquals(List.of("org.bosun.cni.networks.CniNetworkProvider", "org.example.Factory~one"),
                List.copyOf(c.keySet()));
        Dictionary<String, Object> cni = c.get("org.bosun.cni.networks.CniNetworkProvider");
        assertArrayEquals(new String[] {"/a", "/b"}, (String[]) cni.get("pluginDirs"));
        assertEquals(5L, cni.get("pluginTimeoutSeconds"));
        assertEquals(0.5, cni.get("ratio"));
        assertEquals(Boolean.TRUE, cni.get("enabled"));
        assertEquals("/var/lib/x", cni.get("builtinIpamDir"));
        assertArrayEquals(new String[0], (String[]) cni.get("none"));
        assertEquals(1L, c.get("org.example.Factory~one").get("n"));
    }

    @Test
    public void refusesWhatConfigurationAdminCannotStoreNamingTheKey() {
        IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
                () -> InitialConfigurations.parse("{\"p\": {\"k\": {\"deep\": 1}}}"));
        assertTrue(nested.getMessage(), nested.getMessage().contains("p/k"));
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> InitialConfigurations.parse("{\"p\": {\"k\": [1, \"a\"]}}"));
        assertTrue(mixed.getMessage(), mixed.getMessage().contains("mixes"));
        assertThrows(IllegalArgumentException.class, () -> InitialConfigurations.parse("[]"));
        assertThrows(IllegalArgumentException.class, () -> InitialConfigurations.parse("{\"p\": 1}"));
    }
}
