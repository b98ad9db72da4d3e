package org.bosun.cni.networks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

public class PodNetnsTest {
    private final TemporaryFolder temp = new TemporaryFolder();
    private final Janitor janitor = new Janitor();
    @Rule
    public RuleChain rules = RuleChain.outerRule(temp).around(janitor);
    private final IpNetns namespaces = new IpNetns();
    private final String uuid = UUID.randomUUID().toString();
    private Path podDir;

    @Before
    public void setUp() {
        Assume.assumeTrue("needs root and iproute2", Host.rootWithPlugins());
        podDir = temp.getRoot().toPath().resolve(uuid);
    }

    @Test
    public void aPodsNamespaceIsNamedAfterItsUuidRecordedInThePodAndRemovedWithIt() throws Exception {
        String expected = "bosun-" + uuid.substring(0, 8);
        janitor.netns(expected);
        Path netns = namespaces.create(podDir, uuid);
        assertEquals(Path.of("/run/netns", expected), netns);
        assertTrue(Host.netnsExists(expected));
        assertEquals(netns + "\n", Files.readString(podDir.resolve("net/netns")));
        assertEquals(Optional.of(netns), namespaces.find(podDir));
        assertEquals(ErrorKind.ALREADY_EXISTS,
                assertThrows(BosunException.class, () -> namespaces.create(podDir, uuid)).kind());

        namespaces.delete(podDir);
        assertFalse(Host.netnsExists(expected));
        assertFalse(Files.exists(podDir.resolve("net")));
        assertEquals(Optional.empty(), namespaces.find(podDir));
        namespaces.delete(podDir);
    }

    @Test
    public void aTakenShortNameFallsBackToTheWholeUuid() throws Exception {
        String shortName = "bosun-" + uuid.substring(0, 8);
        janitor.netns(shortName);
        janitor.netns("bosun-" + uuid);
        Host.check("ip", "netns", "add", shortName);
        assertEquals(Path.of("/run/netns/bosun-" + uuid), namespaces.create(podDir, uuid));
        namespaces.delete(podDir);
        assertTrue("the other namespace stays", Host.netnsExists(shortName));
    }

    @Test
    public void aRecordNamingANamespaceBosunDidNotCreateIsNotFollowed() throws Exception {
        Files.createDirectories(podDir.resolve("net"));
        Files.writeString(podDir.resolve("net/netns"), "/run/netns/somebody-else\n");
        BosunException e = assertThrows(BosunException.class, () -> namespaces.delete(podDir));
        assertTrue(e.getMessage(), e.getMessage().contains("which bosun does not create"));
    }
}
