package org.bosun.cni.executor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.cni.api.NetworkConfig;
import org.bosun.cni.api.PluginConfig;
import org.junit.Test;

public class ConfigParserTest {

    @Test
    public void aConflistKeepsItsPluginsInOrderWithTheirCapabilitiesAndIpam() {
        NetworkConfig c = ConfigParser.parse("""
                {"cniVersion": "1.0.0", "name": "mynet", "disableCheck": "true", "plugins": [
                  {"type": "bridge", "bridge": "br0", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24"}},
                  {"type": "portmap", "capabilities": {"portMappings": true, "ips": false}},
                  {"type": "tuning"}]}""", "a.conflist");
        assertEquals("mynet", c.name());
        assertEquals("1.0.0", c.cniVersion());
        assertTrue(c.disableCheck());
        assertEquals(List.of("bridge", "portmap", "tuning"), c.plugins().stream().map(PluginConfig::type).toList());
        assertEquals("host-local", c.plugins().get(0).ipamType());
        assertNull(c.plugins().get(1).ipamType());
        assertEquals(Set.of("portMappings"), c.plugins().get(1).capabilities());
        assertEquals("a.conflist", c.source());
    }

    @Test
    public void aSinglePluginConfBecomesAListOfOne() throws Exception {
        NetworkConfig c = ConfigParser.parse("""
                {"cniVersion": "0.4.0", "name": "one", "type": "ptp", "ipMasq": true}""", "one.conf");
        assertEquals(1, c.plugins().size());
        assertEquals("ptp", c.plugins().get(0).type());
        assertFalse(c.disableCheck());
        assertEquals("0.4.0", Json.MAPPER.readTree(c.json()).get("cniVersion").asText());
        assertTrue(Json.MAPPER.readTree(c.json()).get("plugins").get(0).get("ipMasq").asBoolean());
    }

    @Test
    public void cniVersionsChoosesTheHighestSupportedVersion() {
        NetworkConfig c = ConfigParser.parse("""
                {"cniVersions": ["0.4.0", "1.0.0", "7.0.0"], "name": "n", "plugins": [{"type": "ptp"}]}""", "f");
        assertEquals("1.0.0", c.cniVersion());
    }

    @Test
    public void brokenJsonIsOneLineWithFileLineAndColumn() {
        BosunException e = assertThrows(BosunException.class, () -> ConfigParser.parse("""
                {"cniVersion": "1.0.0",
                 "name": "x", "plugins": [ }""", "/etc/bosun/net.d/10-x.conflist"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("network config /etc/bosun/net.d/10-x.conflist is not valid JSON: "));
        assertTrue(e.getMessage(), e.getMessage().endsWith("(line 2, column 28)"));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    public void missingOrUnknownVersionsAndBadNamesAreRefusedWithTheFix() {
        assertEquals("network config f has no cniVersion; add \"cniVersion\": \"1.0.0\"",
                refusal("{\"name\": \"n\", \"plugins\": [{\"type\": \"ptp\"}]}"));
        assertEquals("network config f has cniVersion \"2.0.0\", which bosun does not speak; use one of 0.1.0, 0.2.0,"
                + " 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0",
                refusal("{\"cniVersion\": \"2.0.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"ptp\"}]}"));
        assertEquals("network config f has network name '-n'; a name starts with a letter or digit, followed by"
                + " letters, digits, '_', '.' or '-'",
                refusal("{\"cniVersion\": \"1.0.0\", \"name\": \"-n\", \"plugins\": [{\"type\": \"ptp\"}]}"));
        assertEquals("network config f has no \"name\"; give the network a name",
                refusal("{\"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"ptp\"}]}"));
    }

    @Test
    public void pluginsMustBeNamedBinariesNotPaths() {
        assertEquals("network config f has no plugins; \"plugins\" must be a non-empty list of plugin configurations",
                refusal("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": []}"));
        assertEquals("network config f has plugin 2 without a \"type\"; name the plugin binary, e.g. \"type\": \"bridge\"",
                refusal("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"ptp\"}, {}]}"));
        assertEquals("network config f has plugin 1 of type '../../bin/sh'; a type is the name of a binary in a"
                + " plugin directory, not a path",
                refusal("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"../../bin/sh\"}]}"));
        assertEquals("network config f has plugin 1 (ptp) ipam of type '/x'; a type is the name of a binary in a"
                + " plugin directory, not a path",
                refusal("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"ptp\", \"ipam\": {\"type\": \"/x\"}}]}"));
        assertEquals("network config f has neither \"plugins\" (a configuration list) nor \"type\" (one plugin's"
                + " configuration)", refusal("{\"cniVersion\": \"1.0.0\", \"name\": \"n\"}"));
    }

    @Test
    public void chainingNeedsVersion030() {
        assertEquals("network config f chains 2 plugins with cniVersion 0.2.0; chaining needs cniVersion 0.3.0 or"
                + " later, e.g. \"cniVersion\": \"1.0.0\"",
                refusal("{\"cniVersion\": \"0.2.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"a\"}, {\"type\": \"b\"}]}"));
    }

    private static String refusal(String json) {
        return assertThrows(BosunException.class, () -> ConfigParser.parse(json, "f")).getMessage();
    }
}
