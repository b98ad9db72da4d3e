package org.bosun.cni.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.junit.Test;

public class CniArgsTest {

    @Test
    public void netValuesAreNamesWithArgumentsInOrder() {
        List<Map.Entry<String, Map<String, String>>> nets = CniArgs.parseNetworks("default,mynet:IP=10.1.2.3;K2=a=b");
        assertEquals(2, nets.size());
        assertEquals("default", nets.get(0).getKey());
        assertEquals(Map.of(), nets.get(0).getValue());
        assertEquals("mynet", nets.get(1).getKey());
        assertEquals(List.of("IP", "K2"), List.copyOf(nets.get(1).getValue().keySet()));
        assertEquals("10.1.2.3", nets.get(1).getValue().get("IP"));
        assertEquals("a=b", nets.get(1).getValue().get("K2"));
        assertEquals(Map.of(), CniArgs.parseNetwork("mynet:").getValue());
    }

    @Test
    public void badArgumentsAreRefusedWithTheSyntax() {
        assertEquals("argument 'IP' of network mynet is not K=V; write --net=mynet:K=V;K2=V2",
                assertThrows(BosunException.class, () -> CniArgs.parseNetwork("mynet:IP")).getMessage());
        assertEquals("argument '=x' of network mynet is not K=V; write --net=mynet:K=V;K2=V2",
                assertThrows(BosunException.class, () -> CniArgs.parseNetwork("mynet:=x")).getMessage());
        assertEquals("argument IP of network n is given twice",
                assertThrows(BosunException.class, () -> CniArgs.parseNetwork("n:IP=1;IP=2")).getMessage());
        assertEquals("--net= entry ':IP=1' has no network name; write name or name:K=V;K2=V2",
                assertThrows(BosunException.class, () -> CniArgs.parseNetworks("default,:IP=1")).getMessage());
        assertEquals("--net= names no network; name one, e.g. --net=default",
                assertThrows(BosunException.class, () -> CniArgs.parseNetworks(" ")).getMessage());
    }

    @Test
    public void cniArgsStartWithIgnoreUnknownUnlessGiven() {
        Map<String, String> args = new LinkedHashMap<>();
        assertEquals("", CniArgs.format(args));
        args.put("IP", "10.1.2.3");
        args.put("K8S_POD_NAME", "web");
        assertEquals("IgnoreUnknown=1;IP=10.1.2.3;K8S_POD_NAME=web", CniArgs.format(args));
        Map<String, String> explicit = new LinkedHashMap<>();
        explicit.put("IgnoreUnknown", "0");
        explicit.put("IP", "10.1.2.3");
        assertEquals("IgnoreUnknown=0;IP=10.1.2.3", CniArgs.format(explicit));
        assertThrows(BosunException.class, () -> CniArgs.format(Map.of("K", "a;b")));
    }
}
