package org.bosun.cni.networks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.net.NetworkAttachment;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/** Networks from net.d files with the real plugins, and the failures that must leave nothing behind. */
public class UserNetworksTest {
    private final TemporaryFolder temp = new TemporaryFolder();
    private final Janitor janitor = new Janitor();
    @Rule
    public RuleChain rules = RuleChain.outerRule(temp).around(janitor);
    private PodFixture pods;
    private Path userIpam;

    @Before
    public void setUp() throws Exception {
        Assume.assumeTrue("needs root and the CNI plugins in /usr/lib/cni", Host.rootWithPlugins());
        pods = new PodFixture(temp.getRoot().toPath(), janitor);
        userIpam = temp.getRoot().toPath().resolve("user-ipam");
    }

    /** A bridge network with a chained tuning plugin, on a free /24, its leases in the test's folder. */
    private String bridgeConflist(String name, String bridge, String subnet) {
        janitor.link(bridge);
        return """
                {"cniVersion": "1.0.0", "name": "%s", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false,
                   "ipam": {"type": "host-local", "subnet": "%s", "dataDir": "%s"}},
                  {"type": "tuning", "sysctl": {"net.ipv4.conf.eth1.accept_local": "1"}}]}"""
                .formatted(name, bridge, subnet, userIpam);
    }

    @Test
    public void aUserBridgeNetworkFromTheLocalNetdAttachesAfterDefaultAsEth1() throws Exception {
        String bridge = Host.uniqueName();
        String subnet = Host.freeSubnet24();
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        pods.netd(true, "10-mynet.conflist", bridgeConflist("mynet", bridge, subnet));
        PodFixture.Pod pod = pods.newPod();

        List<NetworkAttachment> attached = pods.attach(pod, "default,mynet");
        assertEquals(List.of("default", "mynet"), attached.stream().map(NetworkAttachment::network).toList());
        assertEquals(List.of("eth0", "eth1"), attached.stream().map(NetworkAttachment::interfaceName).toList());
        NetworkAttachment eth1 = attached.get(1);
        assertTrue(eth1.address(), eth1.address().startsWith(prefix) && eth1.address().endsWith("/24"));
        assertEquals(prefix + "1", eth1.gateway());
        assertTrue(Host.linkExists(bridge));
        assertEquals("1", Host.inNetns(pod.netnsName(), "cat", "/proc/sys/net/ipv4/conf/eth1/accept_local").output().strip());
        assertEquals("hello from the pod", DefaultNetworksTest.podToHost(pod, eth1.gateway()));
        assertEquals("hello from the host", DefaultNetworksTest.hostToPod(pod, eth1.address().split("/")[0]));

        pods.provider.detach(pod.dir());
        assertEquals(List.of(), Host.leases(userIpam, "mynet"));
        assertEquals(List.of(), Host.leases(pods.ipamDir(), "default"));
        assertTrue("the namespace stays for its owner to remove", Host.netnsExists(pod.netnsName()));
    }

    @Test
    public void aSingleConfFileIsANetworkAndAnIpArgumentReachesItsIpam() throws Exception {
        String subnet = Host.freeSubnet24();
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        pods.netd(false, "50-p2p.conf", """
                {"cniVersion": "0.4.0", "name": "p2p", "type": "ptp",
                 "ipam": {"type": "host-local", "subnet": "%s", "dataDir": "%s"}}""".formatted(subnet, userIpam));
        PodFixture.Pod pod = pods.newPod();
        NetworkAttachment eth0 = pods.attach(pod, "p2p:IP=" + prefix + "42").get(0);
        assertEquals(prefix + "42/24", eth0.address());
        assertEquals(List.of(prefix + "42"), Host.leases(userIpam, "p2p"));
    }

    @Test
    public void theDefaultRangeCanBeChangedWithADefaultConflist() throws Exception {
        String subnet = Host.freeSubnet24();
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        pods.netd(true, "default.conflist", """
                {"cniVersion": "1.0.0", "name": "default", "plugins": [
                  {"type": "ptp", "ipMasq": true, "ipam": {"type": "host-local", "subnet": "%s",
                   "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "%s"}}]}""".formatted(subnet, userIpam));
        PodFixture.Pod pod = pods.newPod();
        NetworkAttachment eth0 = pods.attach(pod, "default").get(0);
        assertTrue(eth0.address(), eth0.address().startsWith(prefix));
        assertEquals(List.of(eth0.address().split("/")[0]), Host.leases(userIpam, "default"));
    }

    @Test
    public void aBrokenConflistIsOneClearLineAndNothingIsAttached() throws Exception {
        Path broken = pods.netd(true, "20-broken.conflist", "{\"cniVersion\": \"1.0.0\", \"name\": \"broken\", \"plugins\": [");
        PodFixture.Pod pod = pods.newPod();
        BosunException e = assertThrows(BosunException.class, () -> pods.attach(pod, "default,broken"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("network config " + broken + " is not valid JSON: "));
        assertFalse(e.getMessage().contains("\n"));
        assertNothingAttached(pod);
    }

    @Test
    public void aMissingPluginIsOneClearLineAndNothingIsAttached() throws Exception {
        Path file = pods.netd(true, "30-missing.conflist", """
                {"cniVersion": "1.0.0", "name": "missing", "plugins": [{"type": "bosun-no-such-plugin"}]}""");
        PodFixture.Pod pod = pods.newPod();
        BosunException e = assertThrows(BosunException.class, () -> pods.attach(pod, "default,missing"));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals("network missing: CNI plugin 'bosun-no-such-plugin' is not installed in /usr/lib/cni; install it or"
                + " fix \"type\" in " + file, e.getMessage());
        assertNothingAttached(pod);
    }

    @Test
    public void anExhaustedRangeIsOneClearLineAndUndoesTheNetworksAttachedBeforeIt() throws Exception {
        String subnet = Host.freeSubnet24().replace(".0/24", ".0/30");
        String prefix = subnet.substring(0, subnet.lastIndexOf('.') + 1);
        pods.netd(true, "40-tiny.conflist", """
                {"cniVersion": "1.0.0", "name": "tiny", "plugins": [
                  {"type": "ptp", "ipam": {"type": "host-local", "subnet": "%s", "dataDir": "%s"}}]}"""
                .formatted(subnet, userIpam));
        PodFixture.Pod first = pods.newPod();
        assertEquals(prefix + "2/30", pods.attach(first, "tiny").get(0).address());

        PodFixture.Pod second = pods.newPod();
        BosunException e = assertThrows(BosunException.class, () -> pods.attach(second, "default,tiny"));
        assertEquals("network tiny: plugin ptp ADD failed (code 999): failed to allocate for range 0: no IP addresses"
                + " available in range set: " + prefix + "1-" + prefix + "2", e.getMessage());
        assertNothingAttached(second);
        assertEquals(List.of(prefix + "2"), Host.leases(userIpam, "tiny"));
    }

    @Test
    public void anAttachThatCannotBeUndoneSaysSoAndStaysRecordedUntilDetachSucceeds() throws Exception {
        Path pluginDir = temp.newFolder("stand-in-plugins").toPath();
        Path stuck = pluginDir.resolve("bosun-stuck");
        Files.writeString(stuck, "#!/bin/sh\ncat >/dev/null\necho '{\"code\": 999, \"msg\": \"device busy\"}'\nexit 1\n");
        Files.setPosixFilePermissions(stuck, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        pods.netd(true, "stuck.conflist", """
                {"cniVersion": "1.0.0", "name": "stuck", "plugins": [{"type": "bosun-stuck"}]}""");
        CniNetworkProvider provider = pods.provider(List.of(Path.of("/usr/lib/cni"), pluginDir));
        PodFixture.Pod pod = pods.newPod();
        janitor.pod(provider, pod.dir(), pod.uuid());
        BosunException e = assertThrows(BosunException.class, () -> provider.attach(
                new org.bosun.api.net.NetworkRequest(pods.paths, pod.uuid(), pod.dir(), pod.netns(),
                        org.bosun.cni.api.CniArgs.parseNetworks("default,stuck"))));
        assertEquals("network stuck: plugin bosun-stuck ADD failed (code 999): device busy; undoing the attach failed too"
                + " (network stuck: plugin bosun-stuck DEL failed (code 999): device busy); detach the pod (bosun gc) to"
                + " retry", e.getMessage());
        assertEquals("default was undone", List.of(), Host.leases(pods.ipamDir(), "default"));
        assertEquals(List.of("stuck"), PodNetworkRecord.read(pod.dir()).orElseThrow().attachments().stream()
                .map(PodNetworkRecord.Attachment::network).toList());

        BosunException again = assertThrows(BosunException.class, () -> provider.detach(pod.dir()));
        assertTrue(again.getMessage(), again.getMessage().endsWith("(pod " + pod.uuid()
                + ": 1 network(s) still attached; detach again once fixed)"));
        assertTrue(Host.netnsExists(pod.netnsName()));

        Files.writeString(stuck, "#!/bin/sh\ncat >/dev/null\n");
        provider.detach(pod.dir());
        assertFalse(Files.exists(pod.dir().resolve("net")));
        assertTrue("the namespace stays for its owner to remove", Host.netnsExists(pod.netnsName()));
        assertEquals(List.of(), pods.cacheFiles());
    }

    /** The pod's namespace has only lo, down or up, and no lease, cache entry, rule or record is left. */
    private void assertNothingAttached(PodFixture.Pod pod) throws Exception {
        List<String> links = Host.inNetns(pod.netnsName(), "ip", "-o", "link").output().lines().toList();
        assertEquals(links.toString(), 1, links.size());
        assertEquals(List.of(), Host.leases(pods.ipamDir(), "default"));
        assertEquals(List.of(), Host.natRulesMentioning(pod.uuid()));
        assertFalse(Files.exists(PodNetworkRecord.file(pod.dir())));
        assertTrue(pods.cacheFiles().stream().noneMatch(f -> f.getFileName().toString().contains(pod.uuid())));
        assertTrue("the namespace stays for its owner to remove", Host.netnsExists(pod.netnsName()));
    }
}
