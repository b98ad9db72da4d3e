package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodOptions;
import org.bosun.host.files.Scratch;
import org.bosun.host.lock.LockHolder;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;


/**
 * A pod's network as the core sets it up and releases it, on the networks that need no provider
 * ({@code none}, {@code host}); the provider's part runs in NetworkIT. The host records go to a
 * directory of the test's own, never to the host's.
 */
public class PodNetworkTest {
    private final Scratch scratch = new Scratch();
    private final Namespaces namespaces = new Namespaces();
    @Rule
    public RuleChain rules = RuleChain.outerRule(scratch).around(namespaces);
    private final String uuid = UUID.randomUUID().toString();
    private final String netnsName = "bosun-" + uuid.replace("-", "").substring(0, 8);
    private PodHoldings holdings;
    // No lookup: none and host never ask for a network provider.
    private PodNetwork network;
    private RuntimePaths paths;
    private PodStore store;
    private Path podDir;

    @Before
    public void setUp() throws Exception {
        Assume.assumeTrue("needs root and iproute2", Namespaces.available());
        holdings = new PodHoldings(scratch.root().resolve("host"));
        network = new PodNetwork(null, new PodFiles(), holdings);
        paths = new RuntimePaths(scratch.root().resolve("data"), scratch.root().resolve("etc"), scratch.root().resolve("lib"));
        store = new PodStore(paths.podsDir());
        store.ensureLayout();
        podDir = Files.createDirectory(store.path(PodStore.Dir.RUN, uuid));
        Files.createFile(podDir.resolve(PodLock.FILE_NAME));
        namespaces.add(netnsName);
        namespaces.add("bosun-" + uuid);
    }

    private static PodOptions on(String net) {
        return new PodOptions(null, List.of(new PodOptions.NetworkChoice(net, Map.of())), null, null, null, null, null,
                null, false, false, false, null, null);
    }

    @Test
    public void noneIsANamespaceWithLoUpAndEtcFilesAndReleasingThePodsNetworkRemovesTheNamespace() throws Exception {
        network.setUp(paths, uuid, podDir, on("none"), true, List.of(), PodNetwork.hostname(on("none"), uuid));
        assertTrue(Namespaces.exists(netnsName));
        assertEquals(Path.of("/run/netns", netnsName), PodNetworkNamespace.recorded(podDir));
        assertTrue(Namespaces.ip("-n", netnsName, "-o", "link", "show", "lo").contains(",UP,"));
        assertEquals(List.of(), PodNetwork.attachments(podDir));
        assertEquals(netnsName + "\n", Files.readString(podDir.resolve("etc/hostname")));

        network.tearDown(podDir, uuid);
        assertFalse(netnsName + " is gone", Namespaces.exists(netnsName));
        assertFalse(Files.exists(podDir.resolve("net")));
        network.tearDown(podDir, uuid);
    }

    @Test
    public void aSetUpThatFailsAfterTheNamespaceWasMadeRemovesIt() throws Exception {
        Files.writeString(podDir.resolve("etc"), "a file where etc/ goes\n");
        BosunException e = assertThrows(BosunException.class, () -> network.setUp(paths, uuid, podDir, on("none"), true,
                List.of(), "web"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("cannot create " + podDir.resolve("etc")));
        assertFalse(netnsName + " is gone", Namespaces.exists(netnsName));
        assertFalse(Files.exists(podDir.resolve("net")));
    }

    @Test
    public void theHostsNetworkHasNoNamespaceAndNothingToRelease() throws Exception {
        network.setUp(paths, uuid, podDir, on("host"), false, List.of(), "web");
        assertEquals(null, PodNetworkNamespace.recorded(podDir));
        assertFalse(Files.exists(podDir.resolve("net")));
        assertFalse("nothing held on the host, nothing recorded", Files.exists(holdings.dir(uuid)));
        assertTrue(Files.readString(podDir.resolve("etc/hosts")).contains("127.0.1.1\tweb\n"));
        network.tearDown(podDir, uuid);
    }

    @Test
    public void aHostPortAHostProcessListensOnIsRefusedNamingItsProcessAndNothingIsLeft() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket()) {
            server.bind(new java.net.InetSocketAddress("0.0.0.0", 0));
            int port = server.getLocalPort();
            PodOptions forwarding = new PodOptions(null, List.of(new PodOptions.NetworkChoice("none", Map.of())),
                    List.of(new PodOptions.PortForward(null, "tcp", 80, null, port)), null, null, null, null, null,
                    false, false, false, null, null);
            BosunException e = assertThrows(BosunException.class, () -> network.setUp(paths, uuid, podDir, forwarding,
                    true, List.of(), "web"));
            assertEquals(org.bosun.api.ErrorKind.ALREADY_EXISTS, e.kind());
            assertEquals("--port: host port " + port + "/tcp is taken by a host process listening on tcp/" + port
                    + " (pid " + ProcessHandle.current().pid() + ", java); stop it, or forward another host port",
                    e.getMessage());
            assertFalse(Namespaces.exists(netnsName));
            assertFalse(Files.exists(holdings.dir(uuid)));
            assertFalse(Files.exists(podDir.resolve("net"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    public void aPodsNetworkRecordsAreInItsHostRecordWhichNamesItsDataDirectoryAndGoWithIt() throws Exception {
        network.setUp(paths, uuid, podDir, on("none"), true, List.of(), "web");
        Path held = holdings.dir(uuid);
        assertTrue("the pod's net/ is a link", Files.isSymbolicLink(podDir.resolve("net")));
        assertEquals(held.resolve("net"), Files.readSymbolicLink(podDir.resolve("net")));
        assertEquals(Path.of("/run/netns", netnsName) + "\n", Files.readString(held.resolve("net/netns")));
        PodHoldings.Holding h = holdings.read(uuid).orElseThrow();
        assertEquals(paths.dataDir().toString(), h.dataDir());
        assertEquals(paths.podsDir().toString(), h.podsDir());
        // searchable, not listable, by others: the pod's net link leads a non-root reader to its records
        for (Path dir : List.of(holdings.root(), held.getParent(), held)) {
            assertEquals(dir.toString(), "rwx--x--x", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir)));
        }
        assertEquals("the record's lock is root's only", "rw-------", java.nio.file.attribute.PosixFilePermissions
                .toString(Files.getPosixFilePermissions(held.resolve(PodLock.FILE_NAME))));

        network.tearDown(podDir, uuid);
        assertFalse(netnsName + " is gone", Namespaces.exists(netnsName));
        assertFalse(Files.exists(podDir.resolve("net"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertFalse("the host record is gone", Files.exists(held));
    }

    @Test
    public void theFirstCommandThatSeesAPodExitedReleasesItsNamespaceAndKeepsWhatItHadForStatus() throws Exception {
        network.setUp(paths, uuid, podDir, on("none"), true, List.of(), "web");
        PodStore.Found pod = new PodStore.Found(uuid, PodStore.Dir.RUN, podDir);
        try (LockHolder running = LockHolder.hold(podDir.resolve(PodLock.FILE_NAME))) {
            assertEquals("it is running", network.releaseStopped(store, pod));
            assertTrue("a running pod keeps its namespace", Namespaces.exists(netnsName));
        }
        assertEquals(null, network.releaseStopped(store, pod));
        assertFalse(netnsName + " is released", Namespaces.exists(netnsName));
        assertEquals(null, PodNetworkNamespace.recorded(podDir));
        assertTrue("what it had stays for status", Files.exists(podDir.resolve("net/attachments.json")));
        assertEquals(null, network.releaseStopped(store, pod));

        network.tearDown(podDir, uuid);
        assertFalse(Files.exists(holdings.dir(uuid)));
    }

    @Test
    public void gcReleasesWhatAPodWhoseDirectoryWasRemovedByHandHeldAndItsHostRecord() throws Exception {
        network.setUp(paths, uuid, podDir, on("none"), true, List.of(), "web");
        Scratch.deleteTree(paths.dataDir());
        List<String> released = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        network.releaseOrphans(released, failures);
        assertEquals(List.of(), failures);
        assertEquals(List.of(uuid), released);
        assertFalse(netnsName + " is released", Namespaces.exists(netnsName));
        assertFalse("the host record is gone", Files.exists(holdings.dir(uuid)));
        network.releaseOrphans(released, failures);
        assertEquals(List.of(uuid), released);
    }

    @Test
    public void anOrphanWhoseNamespaceAProcessStillLivesInIsKeptAndReported() throws Exception {
        network.setUp(paths, uuid, podDir, on("none"), true, List.of(), "web");
        Process inside = new ProcessBuilder("ip", "netns", "exec", netnsName, "sleep", "60").start();
        try {
            Scratch.deleteTree(paths.dataDir());
            List<String> released = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Namespaces.ip("netns", "pids", netnsName).isBlank() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            network.releaseOrphans(released, failures);
            assertEquals(List.of(), released);
            assertEquals(failures.toString(), 1, failures.size());
            assertTrue(failures.get(0), failures.get(0).startsWith("pod " + uuid + ": its directory in "
                    + paths.podsDir() + " is gone, but process "));
            assertTrue(Namespaces.exists(netnsName));
        } finally {
            inside.destroyForcibly();
            inside.waitFor(10, TimeUnit.SECONDS);
        }
        List<String> released = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        network.releaseOrphans(released, failures);
        assertEquals(List.of(uuid), released);
        assertFalse(Namespaces.exists(netnsName));
    }
}
