package org.bosun.cni.networks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.cni.api.CniPluginException;
import org.bosun.host.files.FileTree;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * The built-in networks with the real plugins: default, default-restricted, none, host; on the
 * test's own subnets (their configuration with rkt's subnets is NetworkCatalogTest's).
 */
public class DefaultNetworksTest {
    private final TemporaryFolder temp = new TemporaryFolder();
    private final Janitor janitor = new Janitor();
    @Rule
    public RuleChain rules = RuleChain.outerRule(temp).around(janitor);
    private PodFixture pods;

    @Before
    public void setUp() throws Exception {
        Assume.assumeTrue("needs root and the CNI plugins in /usr/lib/cni", Host.rootWithPlugins());
        pods = new PodFixture(temp.getRoot().toPath(), janitor);
    }

    @Test
    public void aPodOnDefaultReachesAServerOnTheHostAndTheHostReachesAServerInThePod() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        List<NetworkAttachment> attached = pods.attach(pod, "default");
        assertEquals(1, attached.size());
        NetworkAttachment eth0 = attached.get(0);
        assertEquals("default", eth0.network());
        assertEquals("eth0", eth0.interfaceName());
        String subnet = pods.defaultPrefix();
        assertTrue(eth0.address(), eth0.address().startsWith(subnet) && eth0.address().endsWith("/24"));
        assertEquals(subnet + "1", eth0.gateway());
        assertTrue(Host.inNetns(pod.netnsName(), "ip", "route").output().contains("default via " + subnet + "1 dev eth0"));

        assertEquals("hello from the pod", podToHost(pod, eth0.gateway()));
        assertEquals("hello from the host", hostToPod(pod, eth0.address().split("/")[0]));
        assertFalse("outbound NAT for the pod", Host.natRulesMentioning(pod.uuid()).isEmpty());
    }

    /** The pod connects with busybox nc to a server bound to the gateway address on the host. */
    static String podToHost(PodFixture.Pod pod, String gateway) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(gateway), 0));
            server.setSoTimeout(10_000);
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    String line = new String(s.getInputStream().readNBytes(18), StandardCharsets.UTF_8);
                    s.getOutputStream().write("welcome\n".getBytes(StandardCharsets.UTF_8));
                    return line;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Host.Run nc = Host.inNetns(pod.netnsName(), "sh", "-c",
                    "echo 'hello from the pod' | timeout 10 busybox nc " + gateway + " " + server.getLocalPort());
            assertEquals(nc.output(), "welcome\n", nc.output());
            return received.get(10, TimeUnit.SECONDS);
        }
    }

    /** The host connects to busybox nc listening in the pod. */
    static String hostToPod(PodFixture.Pod pod, String address) throws Exception {
        Process nc = new ProcessBuilder("ip", "netns", "exec", pod.netnsName(), "timeout", "10", "busybox", "nc", "-l",
                "-p", "8080").redirectInput(new File("/dev/null")).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, 8080), 1000);
                    OutputStream out = s.getOutputStream();
                    out.write("hello from the host".getBytes(StandardCharsets.UTF_8));
                    s.shutdownOutput();
                    break;
                } catch (IOException notYetListening) {
                    if (System.nanoTime() > deadline) {
                        throw notYetListening;
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

    @Test
    public void defaultRestrictedReachesOnlyTheHostWithoutADefaultRouteOrNat() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        NetworkAttachment eth0 = pods.attach(pod, "default-restricted").get(0);
        assertTrue(eth0.address(), eth0.address().startsWith(pods.restrictedPrefix()) && eth0.address().endsWith("/24"));
        String routes = Host.inNetns(pod.netnsName(), "ip", "route").output();
        assertFalse(routes, routes.contains("default"));
        assertTrue(Host.natRulesMentioning(pod.uuid()).isEmpty());
        assertEquals("hello from the pod", podToHost(pod, eth0.gateway()));
    }

    @Test
    public void noneGivesThePodOnlyItsLoopbackUp() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        assertEquals(List.of(), pods.attach(pod, "none"));
        List<String> links = Host.inNetns(pod.netnsName(), "ip", "-o", "link").output().lines().toList();
        assertEquals(links.toString(), 1, links.size());
        assertTrue(links.get(0), links.get(0).contains(": lo: <LOOPBACK,UP,LOWER_UP>"));
        assertTrue(Host.inNetns(pod.netnsName(), "busybox", "ping", "-c", "1", "-W", "2", "127.0.0.1").exitCode() == 0);
    }

    @Test
    public void hostAttachesNothingAndRecordsNothing() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        assertEquals(List.of(), pods.attach(pod, "host"));
        assertFalse(Files.exists(PodNetworkRecord.file(pod.dir())));
        assertTrue(pods.cacheFiles().isEmpty());
    }

    @Test
    public void anIpArgumentChoosesThePodsAddress() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        String chosen = pods.defaultPrefix() + "77";
        assertEquals(chosen + "/24", pods.attach(pod, "default:IP=" + chosen).get(0).address());
        assertTrue(Host.inNetns(pod.netnsName(), "ip", "-4", "addr", "show", "eth0").output().contains(chosen + "/24"));
    }

    @Test
    public void checkPassesWhileThePodIsAttachedAndNamesThePluginWhenItsInterfaceIsGone() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        pods.attach(pod, "default");
        pods.provider.check(pod.dir());
        Host.check("ip", "netns", "exec", pod.netnsName(), "ip", "link", "delete", "eth0");
        CniPluginException e = assertThrows(CniPluginException.class, () -> pods.provider.check(pod.dir()));
        assertTrue(e.getMessage(), e.getMessage().startsWith("network default: plugin ptp CHECK failed (code "));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    public void detachNeedsOnlyThePodDirectoryAndRemovesEverything() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        NetworkAttachment eth0 = pods.attach(pod, "default").get(0);
        List<String> hostSide = hostInterfaces(pod);
        assertEquals(1, hostSide.size());
        assertEquals(1, Host.leases(pods.ipamDir(), "default").size());

        // Another provider (a newer bundle, other settings) and no executor cache: the pod directory suffices.
        FileTree.delete(pods.cacheDir());
        CniNetworkProvider later = new CniNetworkProvider(new org.bosun.cni.executor.CniExecutorImpl(),
                List.of(Path.of("/opt/bosun-none")), Duration.ofSeconds(5), pods.builtins);
        later.detach(pod.dir());

        assertTrue("the namespace stays for its owner to remove", Host.netnsExists(pod.netnsName()));
        assertFalse(Host.linkExists(hostSide.get(0)));
        assertEquals(List.of(), Host.leases(pods.ipamDir(), "default"));
        assertEquals(List.of(), Host.natRulesMentioning(pod.uuid()));
        assertFalse(Files.exists(pod.dir().resolve("net")));
        assertFalse(Host.check("ip", "route").contains(eth0.address().split("/")[0] + " "));
        later.detach(pod.dir());
    }

    @Test
    public void attachingTwiceIsRefused() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        pods.attach(pod, "default");
        BosunException e = assertThrows(BosunException.class, () -> pods.attach(pod, "default"));
        assertTrue(e.getMessage(), e.getMessage().endsWith("; detach it first"));
        assertEquals(1, Host.leases(pods.ipamDir(), "default").size());
    }

    @Test
    public void aPodWithoutItsNamespaceIsRefusedBeforeAnythingRuns() throws Exception {
        PodFixture.Pod pod = pods.newPod();
        Host.check("ip", "netns", "delete", pod.netnsName());
        BosunException e = assertThrows(BosunException.class, () -> pods.attach(pod, "default"));
        assertEquals("pod " + pod.uuid() + " has no network namespace at " + pod.netns() + " to attach networks to",
                e.getMessage());
        assertTrue(pods.cacheFiles().isEmpty());
    }

    /** The host ends of the pod's links, from its record. */
    static List<String> hostInterfaces(PodFixture.Pod pod) {
        PodNetworkRecord record = PodNetworkRecord.read(pod.dir()).orElseThrow();
        try {
            assertEquals("the record is root's only", "rw-------", java.nio.file.attribute.PosixFilePermissions
                    .toString(Files.getPosixFilePermissions(PodNetworkRecord.file(pod.dir()))));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> names = new java.util.ArrayList<>();
        for (PodNetworkRecord.Attachment a : record.attachments()) {
            assertNotNull(a.result());
            a.result().path("interfaces").forEach(i -> {
                if (!i.has("sandbox")) {
                    names.add(i.get("name").asText());
                }
            });
        }
        return names;
    }
}
