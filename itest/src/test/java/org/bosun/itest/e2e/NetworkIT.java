package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Pod networking (issue 5) with the nspawn engine and the real CNI plugins: {@code default} reaches
 * the host and is reached from it, {@code default-restricted} has no default route, {@code none} has
 * only lo, {@code host} is the host's namespace, user networks come from {@code net.d} of
 * {@code --local-config}, {@code --net=default,NAME} gives two interfaces and status shows both,
 * {@code --port} forwards from 127.0.0.1, the pod's etc files are as asked, gc of a killed run leaves
 * no namespace, veth, lease or iptables rule, and neither does the test harness's fallback
 * ({@link NetworkJanitor}) when bosun itself cannot run. Every bridge, user subnet (a free /24 no
 * route of the host touches) and port is the test's own, and removed whatever the outcome; pods on
 * {@code default} draw from the host-wide lease pool, as real pods do, so they never take a real
 * pod's address.
 */
public class NetworkIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String NSPAWN = "--stage1-name=nspawn";
    /** Where the built-in networks keep their leases (the CNI provider's default). */
    static final Path BUILTIN_LEASES = Path.of("/var/lib/cni/bosun");
    private final List<String> bridges = new ArrayList<>();

    public NetworkIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @After
    public void removeTheBridges() throws Exception {
        for (String bridge : bridges) {
            new ProcessBuilder("ip", "link", "del", bridge).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    public void aPodOnDefaultReachesTheHostAndTheHostReachesThePod() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("0.0.0.0", 0));
            server.setSoTimeout(60_000);
            BosunProcess run = startBosun("run", INSECURE, NSPAWN, aci(), "--exec", "/bin/sh", "--", "-c",
                    "gw=$(ip route | awk '/^default/ {print $3}'); echo from-pod | nc -w 5 $gw " + server.getLocalPort()
                            + "; echo from-pod-server | nc -l -p 8080");
            run.closeStdin();
            try (Socket fromPod = server.accept()) {
                assertEquals("from-pod", readLine(fromPod));
                assertTrue("the pod's address " + fromPod.getInetAddress() + " is on default",
                        fromPod.getInetAddress().getHostAddress().startsWith("172.16.28."));
            }
            JsonNode network = onlyNetwork();
            assertEquals("default", network.path("name").asText());
            assertEquals("eth0", network.path("interface").asText());
            assertEquals("172.16.28.1", network.path("gateway").asText());
            String podIp = network.path("address").asText().replaceFirst("/.*", "");
            String served = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (served == null && System.nanoTime() < deadline) {
                try (Socket toPod = new Socket()) {
                    toPod.connect(new InetSocketAddress(podIp, 8080), 2_000);
                    served = readLine(toPod);
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertEquals("the host reached the pod's server at " + podIp, "from-pod-server", served);
            assertExit(0, run.await(CALL_TIMEOUT));
        }
    }

    @Test
    @AgentModeOnly("the network modes are the network bundle's code in both modes")
    public void restrictedHasNoDefaultRouteNoneHasOnlyLoAndHostIsTheHostsNamespace() throws Exception {
        BosunResult restricted = bosun("run", INSECURE, NSPAWN, "--net=default-restricted", aci(), "--exec",
                "/bin/sh", "--", "-c", "ip route; ip -o -4 addr show eth0");
        assertExit(0, restricted);
        assertFalse("no default route:\n" + restricted.describe(), restricted.stdout.contains("default"));
        assertTrue("an address on 172.31.0.0/16:\n" + restricted.describe(), restricted.stdout.contains("inet 172.31."));

        BosunResult none = bosun("run", INSECURE, NSPAWN, "--net=none", aci(), "--exec", "/bin/sh", "--", "-c",
                "ip -o link | awk -F': ' '{print $2}'; ip -o addr show lo | grep -c 127.0.0.1");
        assertExit(0, none);
        assertEquals("only lo, and it is up with its address:\n" + none.describe(), "lo\n1\n", none.stdout);

        String hostDevice = host("sh", "-c", "ip route show default | awk '{print $5; exit}'").trim();
        BosunResult onHost = bosun("run", INSECURE, NSPAWN, "--net=host", aci(), "--exec", "/bin/sh", "--", "-c",
                "ip -o link | awk -F': ' '{print $2}'");
        assertExit(0, onHost);
        assertTrue("the host's " + hostDevice + " is seen:\n" + onHost.describe(),
                onHost.stdout.lines().anyMatch(l -> l.equals(hostDevice) || l.startsWith(hostDevice + "@")));
        JsonNode pods = list();
        for (JsonNode pod : pods) {
            if (pod.path("networks").size() > 1) {
                throw new AssertionError("a pod with more than one network: " + pod);
            }
        }
    }

    @Test
    @AgentModeOnly("the pod's files are the engine's in both modes")
    public void theEtcFilesAreWrittenAsAsked() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, "--net=none", "--hostname=podhost.example.test",
                "--dns=192.0.2.53", "--dns-search=example.test", "--dns-opt=ndots:3", "--dns-domain=example.test",
                "--hosts-entry=192.0.2.10=db.example.test,db", aci(), "--exec", "/bin/sh", "--", "-c",
                "echo hostname=$(hostname); cat /etc/hostname /etc/resolv.conf /etc/hosts");
        assertExit(0, run);
        String out = run.stdout;
        assertTrue(run.describe(), out.startsWith("hostname=podhost.example.test\npodhost.example.test\n"));
        assertTrue(run.describe(), out.contains("\nnameserver 192.0.2.53\n"));
        assertTrue(run.describe(), out.contains("\ndomain example.test\n"));
        assertTrue(run.describe(), out.contains("\nsearch example.test\n"));
        assertTrue(run.describe(), out.contains("\noptions ndots:3\n"));
        assertTrue(run.describe(), out.contains("\n127.0.0.1\tlocalhost\n"));
        assertTrue(run.describe(), out.contains("\n127.0.1.1\tpodhost.example.test podhost\n"));
        assertTrue(run.describe(), out.contains("\n192.0.2.10\tdb.example.test db\n"));

        BosunResult hostDns = bosun("run", INSECURE, NSPAWN, "--net=none", "--dns=host", aci(), "--exec", "/bin/cat",
                "--", "/etc/resolv.conf");
        assertExit(0, hostDns);
        assertEquals(Files.readString(Path.of("/etc/resolv.conf")), hostDns.stdout);
    }

    @Test
    @AgentModeOnly("attachments and port forwards are the network bundle's code in both modes")
    public void aUserBridgeNetworkFromTheLocalConfigAndPortForwardingFrom127() throws Exception {
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        String bridge = "bt" + suffix;
        bridges.add(bridge);
        String subnet = freeSubnet24();
        Path config = localConfig("10-" + suffix + ".conflist", """
                {"cniVersion": "1.0.0", "name": "br%s", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false,
                   "ipam": {"type": "host-local", "subnet": "%s", "dataDir": "%s"}},
                  {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
                ]}""".formatted(suffix, bridge, subnet, work.resolve("leases")));
        int hostPort;
        try (ServerSocket free = new ServerSocket(0)) {
            hostPort = free.getLocalPort();
        }
        BosunProcess run = startBosun("--local-config=" + config, "run", INSECURE, NSPAWN, "--net=br" + suffix,
                "--port=:tcp:8080::" + hostPort, aci(), "--exec", "/bin/sh", "--", "-c",
                "ip -o -4 addr show eth0; echo forwarded | nc -l -p 8080");
        run.closeStdin();
        String got = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got == null && System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", hostPort), 2_000);
                s.setSoTimeout(3_000);
                got = readLine(s);
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        assertEquals("127.0.0.1:" + hostPort + " reached the pod's nc", "forwarded", got);
        BosunResult r = run.await(CALL_TIMEOUT);
        assertExit(0, r);
        assertTrue("an address on " + subnet + ":\n" + r.describe(), r.stdout.contains("inet " + prefix24(subnet)));
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertFalse("no DNAT rule for port " + hostPort + " stays", host("iptables-save", "-t", "nat")
                .contains("--dport " + hostPort));
        assertEquals("leases of br" + suffix + " after gc", List.of(), leases(work.resolve("leases").resolve("br" + suffix)));
    }

    @Test
    @AgentModeOnly("attachments are the network bundle's code in both modes")
    public void aPodOnDefaultAndAUserNetworkHasTwoInterfacesAndStatusShowsBoth() throws Exception {
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        String bridge = "bt" + suffix;
        bridges.add(bridge);
        String subnet = freeSubnet24();
        Path config = localConfig("10-" + suffix + ".conflist", """
                {"cniVersion": "1.0.0", "name": "two%s", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false,
                   "ipam": {"type": "host-local", "subnet": "%s", "dataDir": "%s"}}
                ]}""".formatted(suffix, bridge, subnet, work.resolve("leases")));
        BosunResult prepare = bosun("--local-config=" + config, "prepare", INSECURE, NSPAWN, "--net=default,two" + suffix,
                aci(), "--exec", "/bin/sh", "--", "-c", "ip -o -4 addr show eth0; ip -o -4 addr show eth1");
        assertExit(0, prepare);
        String uuid = uuidIn(prepare);
        BosunResult status = bosun("status", "--format=json", uuid);
        assertExit(0, status);
        JsonNode networks = JSON.readTree(status.stdout).path("networks");
        assertEquals(status.describe(), 2, networks.size());
        assertEquals("default", networks.get(0).path("name").asText());
        assertEquals("eth0", networks.get(0).path("interface").asText());
        assertTrue(status.describe(), networks.get(0).path("address").asText().startsWith("172.16.28."));
        assertEquals("two" + suffix, networks.get(1).path("name").asText());
        assertEquals("eth1", networks.get(1).path("interface").asText());
        assertEquals(prefix24(subnet) + "1", networks.get(1).path("gateway").asText());
        String second = networks.get(1).path("address").asText();

        BosunResult run = bosun("--local-config=" + config, "run-prepared", uuid);
        assertExit(0, run);
        assertTrue("eth0 on default:\n" + run.describe(), run.stdout.contains("eth0    inet 172.16.28."));
        assertTrue("eth1 on two" + suffix + " with " + second + ":\n" + run.describe(),
                run.stdout.contains("eth1    inet " + second + " "));
        assertExit(0, bosun("--local-config=" + config, "gc", "--grace-period=0s"));
        assertNoPods();
        assertEquals(List.of(), leases(work.resolve("leases").resolve("two" + suffix)));
    }

    /**
     * What the harness does when {@code bosun gc} cannot even start ({@link E2eCase}'s clean-up):
     * the pod's own records are enough to free its namespace, veth, lease and iptables rules.
     */
    @Test
    @AgentModeOnly("this checks the test harness, not a mode")
    public void theHarnessReleasesAPodsNetworkFromItsRecordsWhenBosunCannotRun() throws Exception {
        int hostPort;
        try (ServerSocket free = new ServerSocket(0)) {
            hostPort = free.getLocalPort();
        }
        BosunResult prepare = bosun("prepare", INSECURE, NSPAWN, "--port=:tcp:8080::" + hostPort, aci());
        assertExit(0, prepare);
        String uuid = uuidIn(prepare);
        String podIp = list().get(0).path("networks").get(0).path("address").asText().replaceFirst("/.*", "");
        Path netns = Path.of(Files.readString(data.resolve("pods/prepared/" + uuid + "/net/netns")).trim());
        assertTrue(netns + " exists", Files.exists(netns));
        assertTrue("a lease for " + podIp, Files.exists(BUILTIN_LEASES.resolve("default").resolve(podIp)));
        assertTrue("a DNAT rule for " + hostPort, host("iptables-save", "-t", "nat").contains("--dport " + hostPort));

        List<String> report = NetworkJanitor.release(data.resolve("pods/prepared/" + uuid));
        assertTrue("the report names the DELs and the namespace: " + report,
                report.contains("CNI DEL default/ptp") && report.contains("deleted network namespace "
                        + netns.getFileName()));
        assertFalse(netns + " is gone", Files.exists(netns));
        assertFalse("the lease of " + podIp + " is freed", Files.exists(BUILTIN_LEASES.resolve("default").resolve(podIp)));
        String nat = host("iptables-save");
        assertFalse("no iptables rule names the pod", nat.contains(uuid));
        assertFalse("no DNAT rule for " + hostPort, nat.contains("--dport " + hostPort));
        assertExit(0, bosun("gc", "--grace-period=0s", "--expire-prepared=0s"));
        assertNoPods();
    }

    @Test
    public void gcAfterAKilledRunLeavesNoNetnsVethLeaseOrIptablesRule() throws Exception {
        BosunProcess run = startBosun("run", INSECURE, NSPAWN, aci(), "--exec", "/bin/sleep", "--", "300");
        run.closeStdin();
        JsonNode network = onlyNetwork();
        String uuid = list().get(0).path("name").asText();
        String podIp = network.path("address").asText().replaceFirst("/.*", "");
        Path netns = Path.of("/run/netns/bosun-" + uuid.replace("-", "").substring(0, 8));
        assertTrue(netns + " exists", Files.exists(netns));
        String veth = host("sh", "-c", "ip route get " + podIp + " | awk '{print $3; exit}'").trim();
        assertTrue("the host end of the pod's veth: " + veth, veth.startsWith("veth"));
        assertTrue("a lease for " + podIp, Files.exists(BUILTIN_LEASES.resolve("default").resolve(podIp)));
        assertTrue("NAT rules for the pod", host("iptables-save", "-t", "nat").contains(uuid));

        run.killTree();
        BosunResult gc = bosun("gc", "--grace-period=0s");
        assertExit(0, gc);
        assertNoPods();
        assertFalse(netns + " is gone", Files.exists(netns));
        assertFalse("veth " + veth + " is gone", host("ip", "-o", "link").contains(" " + veth + "@"));
        assertFalse("the lease of " + podIp + " is freed", Files.exists(BUILTIN_LEASES.resolve("default").resolve(podIp)));
        assertFalse("no iptables rule names the pod", host("iptables-save").contains(uuid));
    }

    /**
     * 20 pods run at once on default: each app reaches the host from inside its pod, the pods got 20
     * distinct addresses, and gc frees every lease and netns.
     */
    @Test
    public void twentyPodsRunAtOnceOnDefaultGetDistinctAddressesThatReachTheHostAndGcFreesTheirLeases()
            throws Exception {
        List<Callable<String>> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Path uuidFile = work.resolve("pod-" + i + ".uuid");
            runs.add(() -> {
                BosunResult r = bosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile, aci(), "--exec",
                        "/bin/busybox", "--", "ping", "-c", "1", "-W", "10", "172.16.28.1");
                assertExit(0, r);
                return Files.readString(uuidFile).strip();
            });
        }
        List<String> uuids = parallel(runs, runs.size());
        Set<String> addresses = new HashSet<>();
        for (JsonNode pod : list()) {
            addresses.add(pod.path("networks").get(0).path("address").asText().replaceFirst("/.*", ""));
        }
        assertEquals("20 distinct addresses: " + addresses, 20, addresses.size());
        assertExit(0, bosun("gc", "--grace-period=0s", "--expire-prepared=0s"));
        assertNoPods();
        for (String ip : addresses) {
            assertFalse("the lease of " + ip + " is freed", Files.exists(BUILTIN_LEASES.resolve("default").resolve(ip)));
        }
        for (String uuid : uuids) {
            assertFalse(Files.exists(Path.of("/run/netns/bosun-" + uuid.replace("-", "").substring(0, 8))));
        }
    }

    @Test
    @AgentModeOnly("the CNI refusals are the network bundle's code in both modes")
    public void aBrokenConflistAMissingPluginAndAnExhaustedRangeAreOneClearLineAndLeaveNothing() throws Exception {
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        Path config = localConfig("10-broken.conflist", "{\"cniVersion\": \"1.0.0\", \"name\": \"broken\", \"plugins\": [");
        BosunResult broken = bosun("--local-config=" + config, "prepare", INSECURE, NSPAWN, aci());
        assertOneClearLine(broken);
        assertTrue(broken.describe(), broken.stderr.contains("10-broken.conflist"));
        assertNoPods();

        Files.delete(config.resolve("net.d/10-broken.conflist"));
        localConfig("20-missing.conflist", """
                {"cniVersion": "1.0.0", "name": "missing%s", "plugins": [{"type": "bosun-no-such-plugin"}]}"""
                .formatted(suffix));
        BosunResult missing = bosun("--local-config=" + config, "prepare", INSECURE, NSPAWN, "--net=missing" + suffix,
                aci());
        assertOneClearLine(missing);
        assertTrue(missing.describe(), missing.stderr.contains("bosun-no-such-plugin"));
        assertNoPods();

        localConfig("30-tiny.conflist", """
                {"cniVersion": "1.0.0", "name": "tiny%s", "plugins": [
                  {"type": "ptp", "ipam": {"type": "host-local", "subnet": "%s", "dataDir": "%s"}}
                ]}""".formatted(suffix, freeSubnet24().replace(".0/24", ".0/30"), work.resolve("leases")));
        BosunResult first = bosun("--local-config=" + config, "prepare", INSECURE, NSPAWN, "--net=tiny" + suffix, aci());
        assertExit(0, first);
        BosunResult exhausted = bosun("--local-config=" + config, "prepare", INSECURE, NSPAWN, "--net=tiny" + suffix,
                aci());
        assertOneClearLine(exhausted);
        assertTrue(exhausted.describe(), exhausted.stderr.contains("no IP addresses available"));
        JsonNode pods = list();
        assertEquals("only the first pod is left", 1, pods.size());
        // Other pods on this host come and go: only the failed pod's own lease can be checked here.
        assertEquals("only the first pod's lease", List.of(pods.get(0).path("networks").get(0).path("address").asText()
                .replaceFirst("/.*", "")), leases(work.resolve("leases").resolve("tiny" + suffix)));
        assertExit(0, bosun("--local-config=" + config, "gc", "--grace-period=0s", "--expire-prepared=0s"));
        assertNoPods();
        assertEquals(List.of(), leases(work.resolve("leases").resolve("tiny" + suffix)));
    }

    // ------------------------------------------------------------------ helpers

    /** The one network of the one pod, once the pod is attached. */
    private JsonNode onlyNetwork() throws Exception {
        JsonNode[] found = new JsonNode[1];
        assertTrue("the pod shows its network", eventually(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            JsonNode pods = list();
            if (pods.size() == 1 && pods.get(0).path("networks").size() == 1
                    && "running".equals(pods.get(0).path("state").asText())) {
                found[0] = pods.get(0).path("networks").get(0);
                return true;
            }
            return false;
        }));
        assertNotNull(found[0]);
        return found[0];
    }

    private Path localConfig(String file, String content) throws IOException {
        Path config = work.resolve("config");
        Files.createDirectories(config.resolve("net.d"));
        Files.writeString(config.resolve("net.d").resolve(file), content);
        return config;
    }

    /**
     * A /24 for a test's own network that no real pod uses: at random in 10.100.0.0 to
     * 10.249.255.0, overlapping no IPv4 route of the host in any table (every pod's address and
     * every attached subnet has one).
     */
    static String freeSubnet24() throws Exception {
        List<long[]> routes = new ArrayList<>();
        for (String line : host("ip", "-4", "route", "show", "table", "all").lines().toList()) {
            for (String word : line.trim().split("\\s+")) {
                if (word.matches("[0-9.]+(/[0-9]+)?")) {
                    routes.add(range(word)); // the destination: the first address-like word
                    break;
                }
            }
        }
        for (int attempt = 0; attempt < 1000; attempt++) {
            String subnet = "10." + ThreadLocalRandom.current().nextInt(100, 250) + "."
                    + ThreadLocalRandom.current().nextInt(0, 256) + ".0/24";
            long[] mine = range(subnet);
            if (routes.stream().noneMatch(r -> r[0] <= mine[1] && mine[0] <= r[1])) {
                return subnet;
            }
        }
        throw new AssertionError("no free /24 in 10.100.0.0-10.249.255.255");
    }

    private static long[] range(String cidr) {
        String[] parts = cidr.split("/");
        long address = 0;
        for (String octet : parts[0].split("\\.")) {
            address = address << 8 | Integer.parseInt(octet);
        }
        long size = 1L << (32 - (parts.length > 1 ? Integer.parseInt(parts[1]) : 32));
        long first = address & ~(size - 1) & 0xffffffffL;
        return new long[] {first, first + size - 1};
    }

    /** {@code 10.123.45.} of {@code 10.123.45.0/24}. */
    static String prefix24(String subnet) {
        return subnet.substring(0, subnet.lastIndexOf('.') + 1);
    }

    static List<String> leases(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f.:]+")).sorted().toList();
        }
    }

    static String readLine(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** Runs a host command; its stdout, or an assertion error with its output if it failed. */
    static String host(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
