package org.bosun.cni.executor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.cni.api.CniResult;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

public class ResultsTest {
    /** The same attachment as each version writes it. */
    private static final String V1 = """
            {"cniVersion": "1.0.0",
             "interfaces": [{"name": "veth1", "mac": "1a:46:89:21:67:42"},
                            {"name": "eth0", "mac": "ee:e8:36:4d:22:da", "sandbox": "/run/netns/p", "mtu": 1500}],
             "ips": [{"interface": 1, "address": "172.16.28.2/24", "gateway": "172.16.28.1"},
                     {"interface": 1, "address": "fd00::2/64"}],
             "routes": [{"dst": "0.0.0.0/0"}, {"dst": "10.0.0.0/8", "gw": "172.16.28.254"}],
             "dns": {"nameservers": ["10.1.0.1"], "domain": "example.org", "search": ["a.example.org"], "options": ["ndots:2"]}}""";

    private static String v03(String version) {
        return V1.replace("\"1.0.0\"", "\"" + version + "\"")
                .replace("{\"interface\": 1, \"address\": \"172", "{\"version\": \"4\", \"interface\": 1, \"address\": \"172")
                .replace("{\"interface\": 1, \"address\": \"fd00", "{\"version\": \"6\", \"interface\": 1, \"address\": \"fd00");
    }

    @Test
    public void resultsOfEveryVersionFrom030To100ReadAsTheSameModel() throws Exception {
        CniResult expected = Results.parse(Json.MAPPER.readTree(V1), "test");
        for (String version : List.of("0.3.0", "0.3.1", "0.4.0")) {
            CniResult r = Results.parse(Json.MAPPER.readTree(v03(version)), "test");
            assertEquals(version, r.cniVersion());
            assertEquals(expected.interfaces(), r.interfaces());
            assertEquals(expected.ips(), r.ips());
            assertEquals(expected.routes(), r.routes());
            assertEquals(expected.dns(), r.dns());
        }
        assertEquals(new CniResult.Interface("eth0", "ee:e8:36:4d:22:da", "/run/netns/p"), expected.interfaces().get(1));
        assertEquals(new CniResult.IpConfig("172.16.28.2/24", "172.16.28.1", 1), expected.ips().get(0));
        assertEquals(new CniResult.Route("10.0.0.0/8", "172.16.28.254"), expected.routes().get(1));
        assertEquals(List.of("10.1.0.1"), expected.dns().nameservers());
        assertEquals("example.org", expected.dns().domain());
    }

    @Test
    public void theModelTellsHostInterfacesAndThePodsAddresses() throws Exception {
        CniResult r = Results.parse(Json.MAPPER.readTree(V1), "test");
        assertEquals(List.of("veth1"), r.hostInterfaces().stream().map(CniResult.Interface::name).toList());
        assertEquals(2, r.addressesOf("eth0").size());
        assertTrue(r.addressesOf("eth0").get(1).isIpv6());
        assertTrue(r.addressesOf("veth1").isEmpty());
    }

    @Test
    public void legacy020ResultsReadAsAddressesWithoutInterface() throws Exception {
        String legacy = """
                {"cniVersion": "0.2.0",
                 "ip4": {"ip": "10.88.0.5/16", "gateway": "10.88.0.1", "routes": [{"dst": "0.0.0.0/0"}]},
                 "ip6": {"ip": "fd00::5/64"},
                 "dns": {"nameservers": ["10.88.0.1"]}}""";
        CniResult r = Results.parse(Json.MAPPER.readTree(legacy), "test");
        assertEquals("0.2.0", r.cniVersion());
        assertEquals(List.of(new CniResult.IpConfig("10.88.0.5/16", "10.88.0.1", null),
                new CniResult.IpConfig("fd00::5/64", null, null)), r.ips());
        assertEquals(List.of(new CniResult.Route("0.0.0.0/0", null)), r.routes());
        assertEquals(2, r.addressesOf("eth0").size());
        assertEquals(legacy.replaceAll("\\s", ""), r.json().replaceAll("\\s", ""));
    }

    @Test
    public void convertingTo040AddsIpVersionsAndTo100RemovesThem() throws Exception {
        JsonNode to040 = Results.convert(Json.MAPPER.readTree(V1), "0.4.0");
        assertEquals("0.4.0", to040.get("cniVersion").asText());
        assertEquals("4", to040.get("ips").get(0).get("version").asText());
        assertEquals("6", to040.get("ips").get(1).get("version").asText());
        JsonNode back = Results.convert(to040, "1.0.0");
        assertEquals(Json.MAPPER.readTree(V1), back);
        assertEquals(Json.MAPPER.readTree(v03("0.3.1")), Results.convert(Json.MAPPER.readTree(v03("0.3.0")), "0.3.1"));
    }

    @Test
    public void conversionKeepsFieldsTheModelDoesNotKnow() throws Exception {
        JsonNode converted = Results.convert(Json.MAPPER.readTree(V1), "0.3.0");
        assertEquals(1500, converted.get("interfaces").get(1).get("mtu").asInt());
    }

    @Test
    public void legacyResultsConvertBothWays() throws Exception {
        JsonNode legacy = Json.MAPPER.readTree("""
                {"cniVersion": "0.2.0", "ip4": {"ip": "10.88.0.5/16", "gateway": "10.88.0.1",
                 "routes": [{"dst": "0.0.0.0/0"}]}, "dns": {}}""");
        JsonNode up = Results.convert(legacy, "0.4.0");
        assertEquals("4", up.get("ips").get(0).get("version").asText());
        assertEquals("10.88.0.5/16", up.get("ips").get(0).get("address").asText());
        assertFalse(up.get("ips").get(0).has("interface"));
        assertFalse(Results.convert(legacy, "1.0.0").get("ips").get(0).has("version"));
        JsonNode down = Results.convert(Json.MAPPER.readTree(V1), "0.2.0");
        assertEquals("172.16.28.2/24", down.get("ip4").get("ip").asText());
        assertEquals("fd00::2/64", down.get("ip6").get("ip").asText());
        assertEquals(2, down.get("ip4").get("routes").size());
        assertEquals(0, down.get("ip6").get("routes").size());
    }

    @Test
    public void aResultOfAnUnknownVersionIsRefusedWithTheVersion() throws Exception {
        BosunException e = assertThrows(BosunException.class,
                () -> Results.parse(Json.MAPPER.readTree("{\"cniVersion\": \"9.0.0\"}"), "plugin x"));
        assertEquals("plugin x returned a result of cniVersion '9.0.0', which bosun does not read; it reads"
                + " 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0", e.getMessage());
    }

    @Test
    public void aResultWithoutDnsHasEmptyDns() throws Exception {
        CniResult r = Results.parse(Json.MAPPER.readTree("{\"cniVersion\": \"1.0.0\"}"), "test");
        assertTrue(r.dns().nameservers().isEmpty());
        assertNull(r.dns().domain());
    }
}
