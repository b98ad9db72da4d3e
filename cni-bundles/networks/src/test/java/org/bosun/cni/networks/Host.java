package org.bosun.cni.networks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The host's network state as the tests see and clean it: namespaces, links, NAT rules, leases. */
final class Host {
    private static final Pattern JUMP = Pattern.compile("-j (CNI-(?!HOSTPORT-)[A-Za-z0-9-]+)");

    private Host() {
    }

    record Run(int exitCode, String output) {
    }

    static Run run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String check(String... command) throws IOException, InterruptedException {
        Run r = run(command);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed with " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    /** A command inside a named network namespace. */
    static Run inNetns(String netns, String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        argv.addAll(List.of(command));
        return run(argv.toArray(String[]::new));
    }

    static boolean netnsExists(String name) {
        return Files.exists(Path.of("/run/netns", name));
    }

    static boolean linkExists(String name) throws IOException, InterruptedException {
        return run("ip", "link", "show", "dev", name).exitCode() == 0;
    }

    static String natRules() throws IOException, InterruptedException {
        return check("iptables-save", "-t", "nat");
    }

    static List<String> natRulesMentioning(String id) throws IOException, InterruptedException {
        return natRules().lines().filter(l -> l.contains(id)).toList();
    }

    /** Removes every NAT rule that mentions {@code id} (CNI comments name the container) and the chains they used. */
    static void removeNatRulesMentioning(String id) throws IOException, InterruptedException {
        List<String> rules = natRules().lines().filter(l -> l.startsWith("-A ") && l.contains(id)).toList();
        if (rules.isEmpty()) {
            return;
        }
        Set<String> chains = new LinkedHashSet<>();
        StringBuilder restore = new StringBuilder("*nat\n");
        for (String rule : rules) {
            restore.append("-D").append(rule.substring(2)).append('\n');
            String chain = rule.split(" ")[1];
            if (chain.startsWith("CNI-") && !chain.startsWith("CNI-HOSTPORT-")) {
                chains.add(chain);
            }
            Matcher jump = JUMP.matcher(rule);
            if (jump.find()) {
                chains.add(jump.group(1));
            }
        }
        restore.append("COMMIT\n");
        restore(restore.toString());
        String now = natRules();
        List<String> unused = chains.stream()
                .filter(c -> now.contains(":" + c + " ") && now.lines().noneMatch(l -> l.contains("-j " + c))).toList();
        if (!unused.isEmpty()) {
            // Every chain flushed before any is deleted: a chain may still jump to another of them.
            StringBuilder drop = new StringBuilder("*nat\n");
            unused.forEach(c -> drop.append("-F ").append(c).append('\n'));
            unused.forEach(c -> drop.append("-X ").append(c).append('\n'));
            restore(drop.append("COMMIT\n").toString());
        }
    }

    /**
     * Removes portmap's shared chains (CNI-HOSTPORT-*) and the jumps to them, as long as no
     * container's mapping is in them: portmap's DEL leaves them behind.
     */
    static void removeUnusedPortmapChains() throws IOException, InterruptedException {
        String now = natRules();
        if (!now.contains(":CNI-HOSTPORT-DNAT ") || now.contains("-A CNI-HOSTPORT-DNAT ")) {
            return;
        }
        StringBuilder drop = new StringBuilder("*nat\n");
        now.lines().filter(l -> l.startsWith("-A ") && !l.startsWith("-A CNI-") && l.contains("-j CNI-HOSTPORT-"))
                .forEach(l -> drop.append("-D").append(l.substring(2)).append('\n'));
        now.lines().filter(l -> l.startsWith(":CNI-HOSTPORT-"))
                .map(l -> l.substring(1, l.indexOf(' ')))
                .forEach(chain -> drop.append("-F ").append(chain).append('\n'));
        now.lines().filter(l -> l.startsWith(":CNI-HOSTPORT-"))
                .map(l -> l.substring(1, l.indexOf(' ')))
                .forEach(chain -> drop.append("-X ").append(chain).append('\n'));
        restore(drop.append("COMMIT\n").toString());
    }

    private static void restore(String rules) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("iptables-restore", "--noflush").redirectErrorStream(true).start();
        p.getOutputStream().write(rules.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("iptables-restore failed: " + out + " for\n" + rules);
        }
    }

    /** The host-local leases of a network: every file but the lock and the last reserved address. */
    static List<String> leases(Path ipamDataDir, String network) throws IOException {
        List<String> leases = new ArrayList<>();
        Path dir = ipamDataDir.resolve(network);
        if (!Files.isDirectory(dir)) {
            return leases;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!name.equals("lock") && !name.startsWith("last_reserved_ip")) {
                    leases.add(name);
                }
            }
        }
        return leases;
    }

    /** Route types that {@code ip route} prints before a route's destination. */
    private static final Set<String> ROUTE_TYPES = Set.of("unicast", "local", "broadcast", "multicast", "anycast",
            "unreachable", "blackhole", "prohibit", "throw", "nat");
    private static final Set<String> HANDED_OUT = new java.util.HashSet<>();

    /**
     * A /24 for a test's network that no real pod uses: at random in the tests' range 10.100.0.0 to
     * 10.249.255.0, overlapping no IPv4 route of the host in any table (every pod's address has a
     * host route, every attached subnet one of its own), and not handed out before in this JVM.
     */
    static synchronized String freeSubnet24() throws IOException, InterruptedException {
        List<long[]> routes = new ArrayList<>();
        for (String line : check("ip", "-4", "route", "show", "table", "all").lines().toList()) {
            String[] words = line.trim().split("\\s+");
            String dst = words.length > 1 && ROUTE_TYPES.contains(words[0]) ? words[1] : words[0];
            if (!dst.equals("default") && !dst.isEmpty()) {
                routes.add(range(dst));
            }
        }
        for (int attempt = 0; attempt < 1000; attempt++) {
            String subnet = "10." + ThreadLocalRandom.current().nextInt(100, 250) + "."
                    + ThreadLocalRandom.current().nextInt(0, 256) + ".0/24";
            long[] mine = range(subnet);
            if (routes.stream().noneMatch(r -> r[0] <= mine[1] && mine[0] <= r[1]) && HANDED_OUT.add(subnet)) {
                return subnet;
            }
        }
        throw new IOException("no free /24 in 10.100.0.0-10.249.255.255");
    }

    /** The first and last address of an IPv4 prefix (a bare address is a /32). */
    private static long[] range(String cidr) {
        String[] parts = cidr.split("/");
        long address = 0;
        for (String octet : parts[0].split("\\.")) {
            address = address << 8 | Integer.parseInt(octet);
        }
        int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
        long size = 1L << (32 - bits);
        long first = address & ~(size - 1) & 0xffffffffL;
        return new long[] {first, first + size - 1};
    }

    /** The first three octets and the dot of a /24: {@code 10.123.45.}. */
    static String prefix24(String subnet) {
        return subnet.substring(0, subnet.lastIndexOf('.') + 1);
    }

    /** A random name such as bosun-t1a2b3c4d, at most 15 characters, for links and namespaces of a test. */
    static String uniqueName() {
        return "bosun-t" + String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    static boolean rootWithPlugins() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/lib/cni/ptp"))
                && Files.isExecutable(Path.of("/usr/sbin/iptables"));
    }
}
