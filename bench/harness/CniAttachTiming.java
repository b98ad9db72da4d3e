/*
 * bench/cni-attach's harness, run by that script as a single-file program against the bundles of a
 * distribution (java -cp 'bundles/*' CniAttachTiming.java ...). See bench/README.md.
 *
 * In one JVM, RUNS+1 rounds of: a pod's network namespace, the cni provider's attach of the
 * built-in "default" network (ptp + host-local + portmap) and its detach, the namespace deleted;
 * then the raw plugins doing their part by hand. The first round is reported on its own: it is
 * what a fresh JVM pays (classes loaded, nothing compiled). Rows go to stdout as Markdown; every
 * namespace, pod id and raw id is appended to WORK/names before it is made, and whatever a round
 * left is undone on the way out (also on SIGINT/SIGTERM), so the script can check nothing stayed.
 *
 *   java -cp CLASSPATH CniAttachTiming.java RUNS WORK TAG RAW_SUBNET
 */

import java.io.File;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkRequest;
import org.bosun.cni.api.CniArgs;
import org.bosun.cni.executor.CniExecutorImpl;
import org.bosun.cni.networks.CniNetworkProvider;

public final class CniAttachTiming {
    private static final String CNI = "/usr/lib/cni";

    private final Path work;
    private final String tag;
    private final String ptp;
    private final String lo = "{\"cniVersion\": \"1.0.0\", \"name\": \"rawlo\", \"type\": \"loopback\"}";
    private final RuntimePaths paths;
    private final CniNetworkProvider provider;
    /** What is set up now, undone last first when a round fails or the JVM is stopped. */
    private final Deque<Undo> open = new ArrayDeque<>();
    private volatile boolean stopping;

    interface Undo {
        void run() throws Exception;
    }

    private CniAttachTiming(Path work, String tag, String rawSubnet) throws IOException {
        this.work = work;
        this.tag = tag;
        Path rawIpam = Files.createDirectories(work.resolve("raw-ipam"));
        this.ptp = """
                {"cniVersion": "1.0.0", "name": "rawdefault%s", "type": "ptp", "ipMasq": true,
                 "ipam": {"type": "host-local", "subnet": "%s", "routes": [{"dst": "0.0.0.0/0"}],
                 "dataDir": "%s"}}""".formatted(tag, rawSubnet, rawIpam);
        this.paths = new RuntimePaths(work.resolve("data"), work.resolve("local"), work.resolve("system"));
        // As the distribution configures it: the plugins in /usr/lib/cni, the host-wide lease pool of
        // the built-in networks, so the bench's pods never take an address a real pod holds.
        this.provider = new CniNetworkProvider(new CniExecutorImpl(), new CniNetworkProvider.Config() {
            @Override
            public String[] pluginDirs() {
                return new String[] {CNI};
            }

            @Override
            public int pluginTimeoutSeconds() {
                return 30;
            }

            @Override
            public String builtinIpamDir() {
                return "/var/lib/cni/bosun";
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return CniNetworkProvider.Config.class;
            }
        });
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[0].matches("[1-9][0-9]*")) {
            System.err.println("usage: CniAttachTiming RUNS WORK TAG RAW_SUBNET");
            System.exit(2);
        }
        CniAttachTiming bench = new CniAttachTiming(Path.of(args[1]), args[2], args[3]);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> bench.stop(main), "undo"));
        try {
            bench.measure(Integer.parseInt(args[0]));
        } catch (Stopped e) {
            // the shutdown hook undoes what the round had set up
        }
    }

    /** Thrown by the round when the JVM is being stopped, before its next host command. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    /**
     * On the way out: lets the round finish the host command it is in (an ADD that completed after
     * its DEL would leave rules behind), then takes down whatever the round had set up.
     */
    private void stop(Thread round) {
        stopping = true;
        try {
            round.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undoAll();
    }

    private void measure(int runs) throws Exception {
        List<Long> netnsAndNetworks = new ArrayList<>();
        List<Long> networksOnly = new ArrayList<>();
        List<Long> rawPtp = new ArrayList<>();
        List<Long> rawLoAndPtp = new ArrayList<>();
        List<Long> rawWithNetns = new ArrayList<>();
        long coldBosun = 0;
        long coldRaw = 0;
        for (int i = 0; i <= runs; i++) {
            String uuid = UUID.randomUUID().toString();
            String podNetns = "bench-" + tag + "-p" + i;
            Path podDir = paths.podsDir().resolve("run").resolve(uuid);
            note(podNetns, uuid);
            long t0 = System.nanoTime();
            netnsAdd(podNetns);
            long t1 = System.nanoTime();
            opened(() -> provider.detach(podDir));
            if (stopping) {
                throw new Stopped();
            }
            provider.attach(new NetworkRequest(paths, uuid, podDir, Path.of("/run/netns", podNetns),
                    CniArgs.parseNetworks("default")));
            provider.detach(podDir);
            closed();
            long t2 = System.nanoTime();
            netnsDelete(podNetns);
            long t3 = System.nanoTime();

            String rawNetns = "bench-" + tag + "-r" + i;
            String id = "bench" + tag + "r" + i;
            note(rawNetns, id);
            long n0 = System.nanoTime();
            netnsAdd(rawNetns);
            long r0 = System.nanoTime();
            opened(() -> plugin("ptp", "DEL", id, rawNetns, "eth0", ptp));
            plugin("ptp", "ADD", id, rawNetns, "eth0", ptp);
            plugin("ptp", "DEL", id, rawNetns, "eth0", ptp);
            long r1 = System.nanoTime();
            plugin("loopback", "ADD", id, rawNetns, "lo", lo);
            plugin("ptp", "ADD", id, rawNetns, "eth0", ptp);
            plugin("ptp", "DEL", id, rawNetns, "eth0", ptp);
            plugin("loopback", "DEL", id, rawNetns, "lo", lo);
            long r2 = System.nanoTime();
            closed();
            netnsDelete(rawNetns);
            long n1 = System.nanoTime();
            if (i == 0) {
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
        row("bosun: ip netns add + attach(default) + detach + ip netns delete", netnsAndNetworks);
        row("bosun: attach(default) + detach", networksOnly);
        row("raw: ip netns add + loopback ADD + ptp ADD + ptp DEL + loopback DEL + ip netns delete", rawWithNetns);
        row("raw: the four plugin calls alone", rawLoAndPtp);
        row("raw: ptp ADD + DEL", rawPtp);
        System.out.printf("| first round, fresh JVM: bosun (netns + attach + detach) | %d | | |%n", coldBosun / 1_000_000);
        System.out.printf("| first round, fresh JVM: raw (netns + loopback + ptp) | %d | | |%n", coldRaw / 1_000_000);
    }

    /** Namespaces and ids are written down before they exist, for the script's left-behind check. */
    private void note(String netns, String id) throws IOException {
        Files.writeString(work.resolve("names"), netns + " " + id + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void netnsAdd(String name) throws IOException, InterruptedException {
        opened(() -> deleteIfThere(name));
        run("ip", "netns", "add", name);
    }

    private void netnsDelete(String name) throws IOException, InterruptedException {
        run("ip", "netns", "delete", name);
        closed();
    }

    private static void deleteIfThere(String netns) throws IOException, InterruptedException {
        if (Files.exists(Path.of("/run/netns", netns))) {
            new ProcessBuilder("ip", "netns", "delete", netns).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A step was set up (or is being): {@code undo} takes it down if the round does not. */
    private synchronized void opened(Undo undo) {
        open.push(undo);
    }

    /** The round took down the step set up last. */
    private synchronized void closed() {
        open.pop();
    }

    private synchronized void undoAll() {
        while (!open.isEmpty()) {
            try {
                open.pop().run();
            } catch (Exception e) {
                System.err.println("bench/cni-attach: undoing a step failed: " + e.getMessage());
            }
        }
    }

    private void run(String... argv) throws IOException, InterruptedException {
        if (stopping) {
            throw new Stopped();
        }
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " failed: " + out.strip());
        }
    }

    private void plugin(String type, String command, String id, String netns, String ifName, String config)
            throws IOException, InterruptedException {
        if (stopping && command.equals("ADD")) {
            throw new Stopped();
        }
        ProcessBuilder pb = new ProcessBuilder(CNI + "/" + type).redirectErrorStream(true);
        pb.environment().putAll(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id, "CNI_NETNS",
                "/run/netns/" + netns, "CNI_IFNAME", ifName, "CNI_PATH", CNI));
        Process p = pb.start();
        p.getOutputStream().write(config.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(type + " " + command + " failed: " + out.strip());
        }
    }

    private static void row(String name, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        System.out.printf("| %s | %d | %d | %d |%n", name, sorted.get(sorted.size() / 2) / 1_000_000,
                sorted.get(0) / 1_000_000, sorted.get(sorted.size() - 1) / 1_000_000);
    }
}
