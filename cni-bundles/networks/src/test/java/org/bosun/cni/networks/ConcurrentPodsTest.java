package org.bosun.cni.networks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.net.NetworkRequest;
import org.bosun.cni.api.CniArgs;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Many pods at once on {@code default}, on the test's own subnet (a real pod on rkt's keeps its
 * address and its route to the host whatever the test does).
 */
public class ConcurrentPodsTest {
    private static final int PODS = 20;
    private final TemporaryFolder temp = new TemporaryFolder();
    private final Janitor janitor = new Janitor();
    @Rule
    public RuleChain rules = RuleChain.outerRule(temp).around(janitor);
    private PodFixture pods;
    private final ExecutorService threads = Executors.newFixedThreadPool(PODS);

    @Before
    public void setUp() throws Exception {
        Assume.assumeTrue("needs root and the CNI plugins in /usr/lib/cni", Host.rootWithPlugins());
        pods = new PodFixture(temp.getRoot().toPath(), janitor);
    }

    @After
    public void tearDown() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(30, TimeUnit.SECONDS);
    }

    @Test
    public void twentyPodsAttachedAtOnceGetDistinctAddressesReachTheHostAndLeaveNothingAfterDetach() throws Exception {
        List<Future<PodFixture.Pod>> created = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            created.add(threads.submit(pods::newPod));
        }
        List<PodFixture.Pod> all = new ArrayList<>();
        for (Future<PodFixture.Pod> f : created) {
            all.add(f.get(60, TimeUnit.SECONDS));
        }
        List<Future<NetworkAttachment>> attaching = new ArrayList<>();
        for (PodFixture.Pod pod : all) {
            attaching.add(threads.submit(() -> pods.attach(pod, "default").get(0)));
        }
        Set<String> addresses = new HashSet<>();
        for (Future<NetworkAttachment> f : attaching) {
            NetworkAttachment a = f.get(60, TimeUnit.SECONDS);
            assertTrue(a.address(), a.address().startsWith(pods.defaultPrefix()));
            addresses.add(a.address());
        }
        assertEquals(addresses.toString(), PODS, addresses.size());
        assertEquals(PODS, Host.leases(pods.ipamDir(), "default").size());

        List<String> hostSide = new ArrayList<>();
        for (PodFixture.Pod pod : all) {
            hostSide.addAll(DefaultNetworksTest.hostInterfaces(pod));
            assertEquals("hello from the pod", DefaultNetworksTest.podToHost(pod, pods.defaultPrefix() + "1"));
        }
        assertEquals(PODS, new HashSet<>(hostSide).size());

        List<Future<?>> detaching = new ArrayList<>();
        for (PodFixture.Pod pod : all) {
            detaching.add(threads.submit(() -> pods.provider.detach(pod.dir())));
        }
        for (Future<?> f : detaching) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), Host.leases(pods.ipamDir(), "default"));
        assertEquals(List.of(), pods.cacheFiles());
        String rules = Host.natRules();
        for (PodFixture.Pod pod : all) {
            assertFalse(pod.uuid() + " has NAT rules left", rules.contains(pod.uuid()));
            assertTrue("the namespace stays for its owner to remove", Host.netnsExists(pod.netnsName()));
        }
        for (String veth : hostSide) {
            assertFalse(veth + " is left", Host.linkExists(veth));
        }
    }

    /**
     * A real pod on rkt's {@code default}, with its lease in the host-wide pool as every bosun pod
     * has it, keeps reaching the host while twenty of the test's pods come and go, and they reach
     * it too: the test's pods take no address, and so no host route, of the real subnet (ptp adds
     * a pod's host route only if no pod has that address: the second of two gets no traffic).
     */
    @Test
    public void aRealPodOnRktsDefaultKeepsItsRouteToTheHostWhileTwentyTestPodsComeAndGo() throws Exception {
        Path hostPool = Path.of("/var/lib/cni/bosun");
        CniNetworkProvider real = new CniNetworkProvider(pods.executor, PodFixture.PLUGIN_DIRS, Duration.ofSeconds(30),
                BuiltinNetworks.rkt(hostPool));
        // The address a test pod would be given first on a fresh lease directory of rkt's subnet.
        String address = "172.16.28.2";
        Assume.assumeTrue("a real pod holds " + address + " already", Host.leases(hostPool, "default").stream()
                .noneMatch(address::equals) && !Host.check("ip", "-4", "route").contains(address + " "));
        PodFixture.Pod realPod = pods.newPod();
        janitor.pod(real, realPod.dir(), realPod.uuid());
        real.attach(new NetworkRequest(pods.paths, realPod.uuid(), realPod.dir(), realPod.netns(),
                CniArgs.parseNetworks("default:IP=" + address)));
        assertEquals("hello from the pod", DefaultNetworksTest.podToHost(realPod, "172.16.28.1"));

        List<Future<PodFixture.Pod>> attaching = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            attaching.add(threads.submit(() -> {
                PodFixture.Pod pod = pods.newPod();
                pods.attach(pod, "default");
                return pod;
            }));
        }
        List<PodFixture.Pod> all = new ArrayList<>();
        for (Future<PodFixture.Pod> f : attaching) {
            all.add(f.get(60, TimeUnit.SECONDS));
        }
        for (PodFixture.Pod pod : all) {
            String gateway = pods.defaultPrefix() + "1";
            assertEquals(pod.uuid() + " reaches the host", "hello from the pod", DefaultNetworksTest.podToHost(pod, gateway));
        }
        assertEquals("the real pod still reaches the host", "hello from the pod",
                DefaultNetworksTest.podToHost(realPod, "172.16.28.1"));
        for (PodFixture.Pod pod : all) {
            pods.provider.detach(pod.dir());
        }
        assertEquals("and after they left", "hello from the pod", DefaultNetworksTest.podToHost(realPod, "172.16.28.1"));
        real.detach(realPod.dir());
        assertFalse("its lease is back in the pool", Host.leases(hostPool, "default").contains(address));
    }
}
