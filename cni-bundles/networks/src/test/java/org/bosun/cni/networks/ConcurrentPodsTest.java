package org.bosun.cni.networks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.bosun.api.net.NetworkAttachment;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

public class ConcurrentPodsTest {
    private static final int PODS = 20;
    private final TemporaryFolder temp = new TemporaryFolder();
    private final Janitor janitor = new Janitor();
    @Rule
    public RuleChain rules = RuleChain.outerRule(temp).around(janitor);
    private PodFixture pods;
    private final ExecutorService threads = Executors.newFixedThreadPool(PODS);

    @Before
    public void setUp() {
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
            assertTrue(a.address(), a.address().startsWith("172.16.28."));
            addresses.add(a.address());
        }
        assertEquals(addresses.toString(), PODS, addresses.size());
        assertEquals(PODS, Host.leases(pods.ipamDir(), "default").size());

        List<String> hostSide = new ArrayList<>();
        for (PodFixture.Pod pod : all) {
            hostSide.addAll(DefaultNetworksTest.hostInterfaces(pod));
            assertEquals("hello from the pod", DefaultNetworksTest.podToHost(pod, "172.16.28.1"));
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
}
