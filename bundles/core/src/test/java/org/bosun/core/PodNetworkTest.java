package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodOptions;
import org.bosun.host.files.Scratch;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;

/**
 * A pod's network as the core sets it up and releases it, on the networks that need no provider
 * ({@code none}, {@code host}); the provider's part runs in NetworkIT.
 */
public class PodNetworkTest {
    private final Scratch scratch = new Scratch();
    private final Namespaces namespaces = new Namespaces();
    @Rule
    public RuleChain rules = RuleChain.outerRule(scratch).around(namespaces);
    // No lookup: none and host never ask for a network provider.
    private final PodNetwork network = new PodNetwork(null, new PodFiles());
    private final String uuid = UUID.randomUUID().toString();
    private final String netnsName = "bosun-" + uuid.replace("-", "").substring(0, 8);
    private RuntimePaths paths;
    private Path podDir;

    @Before
    public void setUp() throws Exception {
        Assume.assumeTrue("needs root and iproute2", Namespaces.available());
        paths = new RuntimePaths(scratch.root().resolve("data"), scratch.root().resolve("etc"), scratch.root().resolve("lib"));
        podDir = Files.createDirectory(scratch.root().resolve(uuid));
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
        assertTrue(Files.readString(podDir.resolve("etc/hosts")).contains("127.0.1.1\tweb\n"));
        network.tearDown(podDir, uuid);
    }
}
