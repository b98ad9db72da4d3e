package org.bosun.itest.e2e;

import static org.bosun.itest.e2e.NetworkIT.host;
import static org.bosun.itest.e2e.NetworkIT.readLine;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Pod networking (issue 5) on the oci engine, with runc and with crun: the apps join the network
 * namespace the core attached, so a pod on {@code default} reaches the host and is reached from it,
 * directly and through {@code --port NAME:HOSTPORT} on a port its image declares (from 127.0.0.1);
 * {@code --net=none} has only lo; the pod's resolv.conf, hosts and hostname are bound over the
 * apps' and its host name is set; once the pod has exited, the first command that sees it so
 * releases its forward and namespace. The rest of the network behaviour is the core's and the CNI
 * bundles' and is covered once, on nspawn, by {@link NetworkIT} and {@link HostResourcesIT}.
 */
public class OciNetworkIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String OCI = "--stage1-name=oci";
    /** The busybox image declaring the port {@code http}, 8080/tcp. */
    static final String PORTS_MANIFEST = TestImages.MANIFEST.replace("example.com/busybox", "example.com/busybox-http")
            .replace("\"workingDirectory\":\"/\"",
                    "\"workingDirectory\":\"/\",\"ports\":[{\"name\":\"http\",\"protocol\":\"tcp\",\"port\":8080}]");
    static Path httpAci;

    public OciNetworkIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @BeforeClass
    public static void buildTheImageWithAPort() throws Exception {
        httpAci = TestImages.busyboxWithManifest(FIXTURE.images, "busybox-http", PORTS_MANIFEST);
    }

    @Test
    public void aPodOnDefaultReachesTheHostAndIsReachedAtItsAddressAndThroughItsNamedPort() throws Exception {
        for (String rt : OciEngineIT.RUNTIMES) {
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress("0.0.0.0", 0));
                server.setSoTimeout(60_000);
                int hostPort = freePort();
                Path uuidFile = work.resolve(rt + ".uuid");
                BosunProcess run = startBosun("run", INSECURE, OCI, OciEngineIT.runtime(rt), "--uuid-file-save=" + uuidFile,
                        "--port=http:" + hostPort, httpAci.toString(), "--exec", "/bin/sh", "--", "-c",
                        "gw=$(ip route | awk '/^default/ {print $3}'); echo from-pod | nc -w 5 $gw " + server.getLocalPort()
                                + "; echo direct | nc -l -p 8080; echo forwarded | nc -l -p 8080");
                run.closeStdin();
                try (Socket fromPod = server.accept()) {
                    assertEquals(rt, "from-pod", readLine(fromPod));
                    assertTrue(rt + ": the pod's address " + fromPod.getInetAddress() + " is on default",
                            fromPod.getInetAddress().getHostAddress().startsWith("172.16.28."));
                }
                JsonNode network = networkOf(Files.readString(uuidFile).trim());
                assertEquals(rt, "default", network.path("name").asText());
                assertEquals(rt, "eth0", network.path("interface").asText());
                String podIp = network.path("address").asText().replaceFirst("/.*", "");
                assertEquals(rt + ": the host reached the pod's server at " + podIp, "direct", lineFrom(podIp, 8080));
                assertEquals(rt + ": 127.0.0.1:" + hostPort + " reached the pod's port http", "forwarded",
                        lineFrom("127.0.0.1", hostPort));
                assertExit(0, run.await(CALL_TIMEOUT));
                String uuid = Files.readString(uuidFile).trim();
                assertTrue(rt + ": its forward stays until a command sees it exited",
                        host("iptables-save", "-t", "nat").contains(uuid));
                assertExit(0, bosun("status", uuid));
                assertFalse(rt + ": the first status of the exited pod released its forward",
                        host("iptables-save", "-t", "nat").contains("--dport " + hostPort + " "));
                assertFalse(rt + ": and its namespace", Files.exists(Path.of("/run/netns/bosun-"
                        + uuid.replace("-", "").substring(0, 8))));
                assertExit(0, bosun("gc", "--grace-period=0s"));
                assertFalse(rt + ": no DNAT rule for port " + hostPort + " stays",
                        host("iptables-save", "-t", "nat").contains("--dport " + hostPort));
            }
        }
    }

    @Test
    public void noneHasOnlyLoAndTheEtcFilesAndHostNameAreThePods() throws Exception {
        for (String rt : OciEngineIT.RUNTIMES) {
            BosunResult run = bosun("run", INSECURE, OCI, OciEngineIT.runtime(rt), "--net=none",
                    "--hostname=podhost.example.test", "--dns=192.0.2.53", "--dns-search=example.test",
                    "--hosts-entry=192.0.2.10=db.example.test,db", aci(), "--exec", "/bin/sh", "--", "-c",
                    "ip -o link | awk -F': ' '{print $2}'; ip -o addr show lo | grep -c 127.0.0.1; "
                            + "echo hostname=$(hostname); cat /etc/hostname /etc/resolv.conf /etc/hosts");
            assertExit(0, run);
            String out = run.stdout;
            assertTrue(rt + ": only lo, up with its address:\n" + run.describe(),
                    out.startsWith("lo\n1\nhostname=podhost.example.test\npodhost.example.test\n"));
            assertTrue(rt + ":\n" + run.describe(), out.contains("\nnameserver 192.0.2.53\n"));
            assertTrue(rt + ":\n" + run.describe(), out.contains("\nsearch example.test\n"));
            assertTrue(rt + ":\n" + run.describe(), out.contains("\n127.0.1.1\tpodhost.example.test podhost\n"));
            assertTrue(rt + ":\n" + run.describe(), out.contains("\n192.0.2.10\tdb.example.test db\n"));
        }
        assertTrue("the image's tree is in the store under " + data, treeHas(data, "etc/passwd"));
        for (String file : List.of("etc/resolv.conf", "etc/hosts", "etc/hostname")) {
            assertFalse("the image's tree in the store has no mount point " + file, treeHas(data, file));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The one network of the running pod {@code uuid}, once it is attached. */
    private JsonNode networkOf(String uuid) throws Exception {
        JsonNode[] found = new JsonNode[1];
        assertTrue("pod " + uuid + " shows its network", eventually(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            for (JsonNode pod : list()) {
                if (pod.path("name").asText().equals(uuid) && pod.path("networks").size() == 1) {
                    found[0] = pod.path("networks").get(0);
                    return true;
                }
            }
            return false;
        }));
        assertNotNull(found[0]);
        return found[0];
    }

    /** The first line served at {@code address:port}, retried until the server listens (30 s). */
    static String lineFrom(String address, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 2_000);
                String line = readLine(s);
                if (line != null) {
                    return line;
                }
            } catch (IOException notYet) {
                // not listening yet (or the forward closed the connection before the pod's server was up)
            }
            Thread.sleep(100);
        }
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** Whether any rendered image tree of the store under {@code data} has {@code relative}. */
    private static boolean treeHas(Path data, String relative) throws IOException {
        Path trees = data.resolve("tree");
        if (!Files.isDirectory(trees)) {
            return false;
        }
        try (var each = Files.list(trees)) {
            return each.anyMatch(tree -> Files.exists(tree.resolve(relative), LinkOption.NOFOLLOW_LINKS));
        }
    }
}
