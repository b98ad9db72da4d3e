package org.bosun.cni.networks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.bosun.cni.api.CniAttachment;
import org.bosun.cni.api.CniContext;
import org.bosun.cni.api.CniResult;
import org.bosun.cni.api.NetworkConfig;
import org.bosun.cni.executor.CniExecutorImpl;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/** The executor with a real chain: bridge, then portmap, which alone gets the port mappings. */
public class ChainedPluginsTest {
    private final TemporaryFolder temp = new TemporaryFolder();
    private final Janitor janitor = new Janitor();
    @Rule
    public RuleChain rules = RuleChain.outerRule(temp).around(janitor);
    private final CniExecutorImpl executor = new CniExecutorImpl();

    @Before
    public void setUp() {
        Assume.assumeTrue("needs root and the CNI plugins in /usr/lib/cni", Host.rootWithPlugins());
    }

    @Test
    public void aPortMappedOnlyToPortmapReachesAServerInTheNamespaceFromLocalhost() throws Exception {
        String netns = Host.uniqueName();
        String bridge = Host.uniqueName();
        String containerId = "bosun-test-" + UUID.randomUUID();
        janitor.netns(netns);
        janitor.link(bridge);
        janitor.id(containerId);
        janitor.portmap();
        Host.check("ip", "netns", "add", netns);
        Path ipam = temp.newFolder("ipam").toPath();
        // disableCheck: portmap 1.1.1's CHECK looks for IPv6 rules that its ADD never made on a host with
        // IPv6 (containernetworking/plugins#819), so CHECK of this list must not run.
        NetworkConfig network = executor.parse("""
                {"cniVersion": "1.0.0", "name": "%s", "disableCheck": true, "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true,
                   "ipam": {"type": "host-local", "subnet": "%s", "dataDir": "%s"}},
                  {"type": "portmap", "snat": true, "capabilities": {"portMappings": true}}]}"""
                .formatted(netns, bridge, Host.freeSubnet24(), ipam), "test");
        int hostPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            hostPort = probe.getLocalPort();
        }
        CniContext context = new CniContext(PodFixture.PLUGIN_DIRS, temp.newFolder("cache").toPath(), Duration.ofSeconds(30));
        CniAttachment attachment = new CniAttachment(containerId, Path.of("/run/netns", netns), "eth0", Map.of(),
                Map.of("portMappings", List.of(Map.of("hostPort", hostPort, "containerPort", 80, "protocol", "tcp")),
                        "bandwidth", Map.of("ingressRate", 1000)));
        try {
            CniResult result = executor.add(context, network, attachment);
            assertEquals(1, result.addressesOf("eth0").size());
            assertFalse("portmap's rules", Host.natRulesMentioning(containerId).isEmpty());
            assertEquals("through the port", throughPort(netns, hostPort));
            executor.check(context, network.name(), containerId, "eth0");
        } finally {
            executor.delete(context, network, attachment);
        }
        assertEquals(List.of(), Host.natRulesMentioning(containerId));
        assertEquals(List.of(), Host.leases(ipam, network.name()));
    }

    private static String throughPort(String netns, int hostPort) throws Exception {
        Process nc = new ProcessBuilder("ip", "netns", "exec", netns, "timeout", "10", "busybox", "nc", "-l", "-p", "80")
                .redirectInput(new File("/dev/null")).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", hostPort), 1000);
                    s.getOutputStream().write("through the port".getBytes(StandardCharsets.UTF_8));
                    s.shutdownOutput();
                    s.getInputStream().read();
                    break;
                } catch (java.io.IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(20);
                }
            }
            assertTrue(nc.waitFor(10, TimeUnit.SECONDS));
            try (InputStream in = nc.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            nc.destroyForcibly();
        }
    }
}
