package org.bosun.cni.networks;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;

/**
 * Network setup and teardown per pod on {@code default}, against the raw plugins doing the same
 * (MACHINE-NOTES.md section 5). Prints medians; runs only with {@code -Dbosun.cni.timing=N}.
 */
public class AttachTimingTest {
    private final TemporaryFolder temp = new TemporaryFolder();
    private final Janitor janitor = new Janitor();
    @Rule
    public RuleChain rules = RuleChain.outerRule(temp).around(janitor);
    private int runs;

    @Before
    public void setUp() {
        runs = Integer.getInteger("bosun.cni.timing", 0);
        Assume.assumeTrue("set -Dbosun.cni.timing=N to measure", runs > 0 && Host.rootWithPlugins());
    }

    @Test
    public void attachAndDetachOfDefaultAgainstTheRawPlugins() throws Exception {
        PodFixture pods = new PodFixture(temp.getRoot().toPath(), janitor);
        List<Long> netnsAndNetworks = new ArrayList<>();
        List<Long> networksOnly = new ArrayList<>();
        List<Long> rawPtp = new ArrayList<>();
        List<Long> rawLoAndPtp = new ArrayList<>();
        List<Long> rawWithNetns = new ArrayList<>();
        Path rawIpam = temp.newFolder("raw-ipam").toPath();
        String ptp = """
                {"cniVersion": "1.0.0", "name": "rawdefault", "type": "ptp", "ipMasq": true,
                 "ipam": {"type": "host-local", "subnet": "%s", "routes": [{"dst": "0.0.0.0/0"}],
                 "dataDir": "%s"}}""".formatted(Host.freeSubnet24(), rawIpam);
        String lo = "{\"cniVersion\": \"1.0.0\", \"name\": \"rawlo\", \"type\": \"loopback\"}";
        long coldBosun = 0;
        long coldRaw = 0;
        for (int i = 0; i < runs + 1; i++) {
            long t0 = System.nanoTime();
            PodFixture.Pod pod = pods.newPod();
            long t1 = System.nanoTime();
            pods.attach(pod, "default");
            pods.provider.detach(pod.dir());
            long t2 = System.nanoTime();
            pods.removeNetns(pod);
            long t3 = System.nanoTime();

            String netns = Host.uniqueName();
            janitor.netns(netns);
            long n0 = System.nanoTime();
            Host.check("ip", "netns", "add", netns);
            String id = "raw" + i + netns;
            janitor.id(id);
            long r0 = System.nanoTime();
            plugin("ptp", "ADD", id, netns, "eth0", ptp);
            plugin("ptp", "DEL", id, netns, "eth0", ptp);
            long r1 = System.nanoTime();
            plugin("loopback", "ADD", id, netns, "lo", lo);
            plugin("ptp", "ADD", id, netns, "eth0", ptp);
            plugin("ptp", "DEL", id, netns, "eth0", ptp);
            plugin("loopback", "DEL", id, netns, "lo", lo);
            long r2 = System.nanoTime();
            Host.check("ip", "netns", "delete", netns);
            long n1 = System.nanoTime();
            if (i == 0) { // the first round is what a fresh JVM pays: classes loaded, nothing compiled
                coldBosun = t3 - t0;
                coldRaw = n1 - n0 - (r1 - r0);
            } else {
                netnsAndNetworks.add(t3 - t0);
                networksOnly.add(t2 - t1);
                rawPtp.add(r1 - r0);
                rawLoAndPtp.add(r2 - r1);
                rawWithNetns.add(n1 - n0 - (r1 - r0));
            }
        }
        System.out.printf("CNI timing, median of %d, ms: ip netns add+bosun attach(default)+detach+ip netns del %d"
                + " (attach+detach: %d); raw ip netns add+loopback ADD+ptp ADD+ptp DEL+loopback DEL"
                + "+ip netns del %d (the four plugin calls alone: %d); raw ptp ADD+DEL %d%n", runs,
                median(netnsAndNetworks), median(networksOnly), median(rawWithNetns), median(rawLoAndPtp), median(rawPtp));
        System.out.printf("CNI timing, first round in a fresh JVM, ms: bosun %d, raw %d%n", coldBosun / 1_000_000,
                coldRaw / 1_000_000);
    }

    private static void plugin(String type, String command, String id, String netns, String ifName, String config)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/lib/cni/" + type).redirectError(new File("/dev/null"));
        pb.environment().putAll(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id, "CNI_NETNS",
                "/run/netns/" + netns, "CNI_IFNAME", ifName, "CNI_PATH", "/usr/lib/cni"));
        Process p = pb.start();
        p.getOutputStream().write(config.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(type + " " + command + " failed");
        }
    }

    private static long median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2) / 1_000_000;
    }
}
