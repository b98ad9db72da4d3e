package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.host.files.Scratch;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;

/** The pod's network namespace, made and removed by the core alone, with the real {@code ip netns}. */
public class PodNetworkNamespaceTest {
    private final Scratch scratch = new Scratch();
    private final Namespaces namespaces = new Namespaces();
    @Rule
    public RuleChain rules = RuleChain.outerRule(scratch).around(namespaces);
    private final PodNetworkNamespace netns = new PodNetworkNamespace(new PodFiles());
    private final String uuid = UUID.randomUUID().toString();
    private Path podDir;

    @Before
    public void setUp() throws Exception {
        Assume.assumeTrue("needs root and iproute2", Namespaces.available());
        podDir = Files.createDirectory(scratch.root().resolve(uuid));
    }

    @Test
    public void aPodsNamespaceIsNamedAfterItsUuidRecordedInThePodAndGoneOnceReleased() throws Exception {
        String expected = "bosun-" + uuid.replace("-", "").substring(0, 8);
        namespaces.add(expected);
        Path created = netns.create(podDir, uuid, false);
        assertEquals(Path.of("/run/netns", expected), created);
        assertTrue(Namespaces.exists(expected));
        assertEquals(created + "\n", Files.readString(podDir.resolve("net/netns")));
        assertEquals(created, PodNetworkNamespace.recorded(podDir));

        netns.delete(podDir, uuid);
        assertFalse(Namespaces.exists(expected));
        assertFalse(Files.exists(podDir.resolve("net/netns")));
        assertNull(PodNetworkNamespace.recorded(podDir));
        netns.delete(podDir, uuid);
    }

    @Test
    public void aTakenShortNameFallsBackToTheWholeUuid() throws Exception {
        String shortName = "bosun-" + uuid.replace("-", "").substring(0, 8);
        namespaces.add(shortName);
        namespaces.add("bosun-" + uuid);
        Namespaces.ip("netns", "add", shortName);
        assertEquals(Path.of("/run/netns/bosun-" + uuid), netns.create(podDir, uuid, false));
        netns.delete(podDir, uuid);
        assertFalse(Namespaces.exists("bosun-" + uuid));
        assertTrue("the other namespace stays", Namespaces.exists(shortName));
    }

    @Test
    public void aRecordNamingANamespaceBosunDidNotCreateIsNotFollowed() throws Exception {
        Files.createDirectories(podDir.resolve("net"));
        Files.writeString(podDir.resolve("net/netns"), "/run/netns/somebody-else\n");
        BosunException e = assertThrows(BosunException.class, () -> netns.delete(podDir, uuid));
        assertTrue(e.getMessage(), e.getMessage().contains("which bosun does not create"));
    }

    @Test
    public void withLoopbackUpItsLoIsUpAndItIsReleasedLikeAnyOther() throws Exception {
        String name = "bosun-" + uuid.replace("-", "").substring(0, 8);
        namespaces.add(name);
        netns.create(podDir, uuid, true);
        assertTrue(Namespaces.ip("-n", name, "-o", "link", "show", "lo").contains(",UP,"));
        assertTrue("ip netns lists it", Namespaces.ip("netns", "list").lines().anyMatch(l -> l.startsWith(name)));
        netns.delete(podDir, uuid);
        assertFalse(Namespaces.exists(name));
    }

    @Test
    public void aRecordLeftByAPrepareKilledBeforeTheNamespaceWasMadeIsRemovedAlone() throws Exception {
        Path never = Path.of("/run/netns/bosun-" + uuid);
        Files.createDirectories(podDir.resolve("net"));
        Files.writeString(podDir.resolve("net/netns"), never + "\n");
        netns.delete(podDir, uuid);
        assertFalse(Files.exists(podDir.resolve("net/netns")));
    }

    @Test
    public void twentyPodsMadeAndReleasedAtOnceLeaveNoNamespace() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(20);
        try {
            List<Future<Path>> made = new ArrayList<>();
            List<Path> dirs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String pod = UUID.randomUUID().toString();
                Path dir = Files.createDirectory(scratch.root().resolve(pod));
                dirs.add(dir);
                namespaces.add("bosun-" + pod.replace("-", "").substring(0, 8));
                namespaces.add("bosun-" + pod);
                boolean loopbackUp = i % 2 == 0; // both ways of making one: ip netns add, and unshare
                made.add(threads.submit(() -> netns.create(dir, pod, loopbackUp)));
            }
            List<Path> all = new ArrayList<>();
            for (Future<Path> f : made) {
                all.add(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(20, all.stream().distinct().count());
            List<Future<?>> released = new ArrayList<>();
            for (Path dir : dirs) {
                released.add(threads.submit(() -> netns.delete(dir, dir.getFileName().toString())));
            }
            for (Future<?> f : released) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (Path n : all) {
                assertFalse(n + " is left", Files.exists(n));
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
