package org.bosun.itest.e2e;

import static org.bosun.itest.e2e.NetworkIT.BUILTIN_LEASES;
import static org.bosun.itest.e2e.NetworkIT.host;
import static org.bosun.itest.e2e.OciNetworkIT.freePort;
import static org.bosun.itest.e2e.OciNetworkIT.lineFrom;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a pod holds on the host outside its directory (issue 12, items 7 and 11), with nspawn, the
 * real CNI plugins and the real iptables rules portmap writes: a host port is refused when a host
 * process or a running pod has it, and taken over from an exited pod, whose forward the new pod's
 * traffic no longer goes to; an exited pod's namespace, address, veth and forwards are released by
 * the first command that sees it exited, not at gc; and a data directory removed by hand with pods
 * in it leaves nothing on the host once any {@code bosun gc}, with another {@code --dir}, has run.
 */
public class HostResourcesIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String NSPAWN = NetworkIT.NSPAWN;
    /** Where pods record what they hold on the host (the core's PodHoldings). */
    static final Path HELD = Path.of("/var/lib/bosun-host/held");

    public HostResourcesIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void aHostPortAHostProcessListensOnIsRefusedNamingTheProcess() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("0.0.0.0", 0));
            int port = server.getLocalPort();
            BosunResult refused = bosun("run", INSECURE, NSPAWN, "--port=:tcp:8080::" + port, aci(), "--exec", "/bin/true");
            assertExit(125, refused); // run's failures before the pod starts, as docker and podman
            assertOneClearLine(refused);
            assertTrue(refused.describe(), refused.stderr.contains("--port: host port " + port + "/tcp is taken by a host"
                    + " process listening on tcp/" + port + " (pid " + ProcessHandle.current().pid() + ", java)"));
            assertNoPods();
            assertFalse("no forward of " + port, nat().contains("--dport " + port + " "));
        }
    }

    @Test
    public void aHostPortARunningPodForwardsIsRefusedNamingThePod() throws Exception {
        int port = freePort();
        Path uuidFile = work.resolve("holder.uuid");
        BosunProcess holder = startBosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile, "--port=:tcp:8080::" + port,
                aci(), "--exec", "/bin/sleep", "--", "300");
        holder.closeStdin();
        assertTrue("the holder runs", eventually(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            JsonNode pods = list();
            return pods.size() == 1 && "running".equals(pods.get(0).path("state").asText())
                    && pods.get(0).path("networks").size() == 1;
        }));
        String holderUuid = Files.readString(uuidFile).strip();

        BosunResult refused = bosun("prepare", INSECURE, NSPAWN, "--port=:tcp:8080::" + port, aci());
        assertExit(3, refused);
        assertOneClearLine(refused);
        assertTrue(refused.describe(), refused.stderr.contains("--port: host port " + port + "/tcp is taken by pod "
                + holderUuid + " (running); stop and remove that pod, or forward another host port"));
        assertEquals("only the holder is left", 1, list().size());
        assertEquals("one forward of " + port + ", the holder's", List.of(holderUuid), forwardersOf(port));

        holder.killTree();
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
        assertEquals(List.of(), forwardersOf(port));
    }

    /**
     * Before, the exited pod's DNAT rule stayed first in CNI-HOSTPORT-DNAT until gc, so the new
     * pod's rule behind it never matched and its connections went to the dead pod.
     */
    @Test
    public void anExitedPodsHostPortIsTakenOverAndTheNewPodGetsItsTraffic() throws Exception {
        int port = freePort();
        Path first = work.resolve("first.uuid");
        assertExit(0, bosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + first, "--port=:tcp:8080::" + port, aci(),
                "--exec", "/bin/true"));
        String exited = Files.readString(first).strip();
        assertEquals("no command has seen it exited yet: its forward is in place", List.of(exited), forwardersOf(port));

        Path second = work.resolve("second.uuid");
        BosunProcess next = startBosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + second, "--port=:tcp:8080::" + port,
                aci(), "--exec", "/bin/sh", "--", "-c", "echo from-the-new-pod | nc -l -p 8080");
        next.closeStdin();
        assertEquals("127.0.0.1:" + port + " reaches the new pod", "from-the-new-pod", lineFrom("127.0.0.1", port));
        assertExit(0, next.await(CALL_TIMEOUT));
        String taker = Files.readString(second).strip();
        assertFalse("the exited pod's rules are gone", nat().contains(exited));
        assertFalse("and its namespace", Files.exists(netnsOf(exited)));
        assertEquals(List.of(taker), forwardersOf(port));
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
        assertEquals(List.of(), forwardersOf(port));
    }

    @Test
    public void anExitedPodsNetworkIsReleasedByTheFirstCommandThatSeesItExitedAndByGcsMark() throws Exception {
        List<Integer> ports = List.of(freePort(), freePort());
        List<String> uuids = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path uuidFile = work.resolve(i + ".uuid");
            assertExit(0, bosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile, "--port=:tcp:8080::" + ports.get(i),
                    aci(), "--exec", "/bin/true"));
            String uuid = Files.readString(uuidFile).strip();
            uuids.add(uuid);
            JsonNode networks = JSON.readTree(Files.readString(data.resolve("pods/run/" + uuid + "/net/attachments.json")));
            addresses.add(networks.get(0).path("address").asText().replaceFirst("/.*", ""));
            assertTrue("its forward is in place", nat().contains(uuid));
            assertTrue("its namespace too", Files.exists(netnsOf(uuid)));
        }

        BosunResult status = bosun("status", "--format=json", uuids.get(0));
        assertExit(0, status);
        assertEquals("exited", JSON.readTree(status.stdout).path("state").asText());
        assertEquals("status still shows what it had", addresses.get(0),
                JSON.readTree(status.stdout).path("networks").get(0).path("address").asText().replaceFirst("/.*", ""));
        assertReleased(uuids.get(0), addresses.get(0), ports.get(0));

        BosunResult gc = bosun("gc"); // the grace period keeps the pod's files, not its address and ports
        assertExit(0, gc);
        assertTrue(gc.describe(), gc.stdout.contains("Moving pod \"" + uuids.get(1) + "\" to garbage"));
        assertReleased(uuids.get(1), addresses.get(1), ports.get(1));
        assertEquals(2, list().size());
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
        for (String uuid : uuids) {
            assertFalse("its host record is gone", Files.exists(HELD.resolve(uuid)));
        }
    }

    /**
     * The data directory of a pod killed while running (its stage1 died with {@code bosun run})
     * is removed by hand: {@code bosun gc} with another {@code --dir} finds what the pod held in
     * the host-wide records and releases it.
     */
    @Test
    public void gcWithAnotherDirReleasesWhatThePodsOfARemovedDataDirectoryHeld() throws Exception {
        Path removed = work.resolve("removed-data");
        int port = freePort();
        Path uuidFile = work.resolve("orphan.uuid");
        BosunProcess run = start(mode, List.of(fixture.bin.toString(), "--dir", removed.toString(), "run", INSECURE, NSPAWN,
                "--uuid-file-save=" + uuidFile, "--port=:tcp:8080::" + port, aci(), "--exec", "/bin/sleep", "--", "300"));
        run.closeStdin();
        assertTrue("the pod runs with its network", eventually(Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> Files.exists(uuidFile) && Files.exists(removed.resolve("pods/run/" + Files.readString(uuidFile).strip()
                        + "/net/attachments.json"))));
        String uuid = Files.readString(uuidFile).strip();
        JsonNode attachments = JSON.readTree(Files.readString(removed.resolve("pods/run/" + uuid + "/net/attachments.json")));
        String podIp = attachments.get(0).path("address").asText().replaceFirst("/.*", "");
        Path netns = netnsOf(uuid);
        assertTrue(netns + " exists", Files.exists(netns));
        String veth = host("sh", "-c", "ip route get " + podIp + " | awk '{print $3; exit}'").trim();
        assertTrue("the host end of the pod's veth: " + veth, veth.startsWith("veth"));
        assertTrue("a lease for " + podIp, Files.exists(BUILTIN_LEASES.resolve("default").resolve(podIp)));
        assertEquals(List.of(uuid), forwardersOf(port));

        run.killTree();
        assertTrue("the run's processes are gone", eventually(Duration.ofSeconds(30), Duration.ofMillis(100),
                () -> E2e.processesUnder(removed).isEmpty()));
        assertEquals("nothing is mounted under " + removed, List.of(), E2e.mountsUnder(removed));
        assertEquals(List.of(), E2e.deleteTree(removed));

        BosunResult gc = bosun("gc");
        assertExit(0, gc);
        assertTrue(gc.describe(), gc.stdout.contains("Garbage collecting pod \"" + uuid + "\""));
        assertFalse(netns + " is gone", Files.exists(netns));
        assertFalse("veth " + veth + " is gone", host("ip", "-o", "link").contains(" " + veth + "@"));
        assertFalse("the lease of " + podIp + " is freed", Files.exists(BUILTIN_LEASES.resolve("default").resolve(podIp)));
        assertFalse("no iptables rule names the pod", host("iptables-save").contains(uuid));
        assertEquals(List.of(), forwardersOf(port));
        assertFalse("its host record is gone", Files.exists(HELD.resolve(uuid)));
        assertEquals("the engine's cgroups of the pod are gone", List.of(), E2e.podCgroups(List.of(uuid)));
        assertFalse("a second gc finds nothing", bosun("gc").stdout.contains(uuid));
    }

    // ------------------------------------------------------------------ helpers

    /** That the pod no longer holds its namespace, address, veth or forward. */
    private void assertReleased(String uuid, String address, int port) throws Exception {
        assertFalse("no iptables rule names " + uuid, host("iptables-save").contains(uuid));
        assertEquals(List.of(), forwardersOf(port));
        assertFalse("its namespace is gone", Files.exists(netnsOf(uuid)));
        assertFalse("its lease " + address + " is freed", Files.exists(BUILTIN_LEASES.resolve("default").resolve(address)));
        assertFalse("no route to " + address, host("ip", "-4", "route").contains(address + " "));
    }

    /** The containers (pod uuids) whose portmap forwards catch host port {@code port}/tcp, from the real rules. */
    static List<String> forwardersOf(int port) throws Exception {
        String nat = nat();
        List<String> chains = nat.lines().filter(l -> l.startsWith("-A CNI-DN-") && l.contains(" --dport " + port + " ")
                && l.contains(" -j DNAT ")).map(l -> l.split(" ")[1]).distinct().toList();
        List<String> ids = new ArrayList<>();
        for (String line : nat.lines().toList()) {
            if (line.startsWith("-A CNI-HOSTPORT-DNAT ") && chains.stream().anyMatch(c -> line.endsWith(" -j " + c))) {
                ids.add(line.replaceFirst(".* id: \\\\\"([^\\\\]*)\\\\\".*", "$1"));
            }
        }
        return ids;
    }

    static String nat() throws Exception {
        return host("iptables-save", "-t", "nat");
    }

    static Path netnsOf(String uuid) {
        return Path.of("/run/netns/bosun-" + uuid.replace("-", "").substring(0, 8));
    }
}
