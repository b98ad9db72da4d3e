package org.bosun.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.net.NetworkRequest;

/**
 * Who uses a host port, as the kernel says: sockets bound to it (the host's {@code /proc/net}
 * tables, so only the host's own network namespace) and CNI port forwards (the portmap plugin's
 * DNAT rules, from {@code iptables-save}). A forward catches a connection before any socket sees
 * it, so a port used by either gives a new forward no traffic, or takes the listener's away.
 */
final class HostPorts {
    private static final Path PROC_NET = Path.of("/proc/net");
    private static final List<Path> IPTABLES_SAVE = List.of(Path.of("/usr/sbin/iptables-save"),
            Path.of("/sbin/iptables-save"), Path.of("/usr/bin/iptables-save"), Path.of("/bin/iptables-save"));
    private static final String TCP_LISTEN = "0A";
    /** portmap's jump into a container's chain: its comment names the network and the container. */
    private static final Pattern HOSTPORT_JUMP = Pattern.compile(
            "^-A CNI-HOSTPORT-DNAT .*--comment \"dnat name: \\\\\"(.*?)\\\\\" id: \\\\\"(.*?)\\\\\"\".* -j (CNI-DN-\\S+)");

    private HostPorts() {
    }

    /**
     * A socket of the host bound to a port: a listening TCP socket, or any UDP socket.
     *
     * @param protocol {@code tcp} or {@code udp}
     * @param address the local address ({@code 0.0.0.0} or {@code ::} for all)
     * @param port the local port
     * @param inode the socket's inode, which names it in {@code /proc/PID/fd}
     */
    record Listener(String protocol, InetAddress address, int port, long inode) {
        /** Whether connections the forward {@code m} catches were this socket's. */
        boolean clashesWith(NetworkRequest.PortMapping m) {
            if (!protocol.equals(m.protocol()) || port != m.hostPort()) {
                return false;
            }
            if (address.isAnyLocalAddress()) {
                return true; // also :: — a dual-stack socket gets IPv4 connections too
            }
            if (m.hostIp() == null) {
                return v4(address); // portmap forwards IPv4: an IPv6-only address keeps its connections
            }
            return address.equals(literal(m.hostIp()));
        }

        /** One phrase: {@code a host process listening on tcp/8080 (pid 1234, nc)}. */
        String describe() {
            long pid = pidOf(inode);
            String where = address.isAnyLocalAddress() ? "" : " at " + address.getHostAddress();
            return "a host process " + ("tcp".equals(protocol) ? "listening" : "bound") + " on " + protocol + "/" + port
                    + where + (pid > 0 ? " (pid " + pid + commandOf(pid) + ")" : "");
        }
    }

    /**
     * A CNI port forward.
     *
     * @param containerId the CNI container id, which for bosun is the pod's uuid
     * @param network the CNI network's name
     * @param protocol {@code tcp} or {@code udp}
     * @param port the host port
     * @param hostIp the host address it is limited to, or null for all
     */
    record Forward(String containerId, String network, String protocol, int port, String hostIp) {
        boolean clashesWith(NetworkRequest.PortMapping m) {
            return protocol.equals(m.protocol()) && port == m.hostPort()
                    && (hostIp == null || m.hostIp() == null || hostIp.equals(m.hostIp())
                            || literal(hostIp) != null && literal(hostIp).equals(literal(m.hostIp())));
        }
    }

    /** The host's bound sockets: TCP listeners and UDP sockets, IPv4 and IPv6. */
    static List<Listener> listeners() {
        List<Listener> all = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            try {
                all.addAll(parseListeners(table.substring(0, 3), Files.readString(PROC_NET.resolve(table))));
            } catch (NoSuchFileException noIpv6) {
                // a kernel without IPv6 has no tcp6 and udp6
            } catch (IOException e) {
                throw BosunException.internal("cannot read " + PROC_NET.resolve(table) + ": " + e.getMessage(), e);
            }
        }
        return all;
    }

    /** One {@code /proc/net/{tcp,udp}[6]} table (proc(5)): addresses are hexadecimal, in host byte order per 32-bit word. */
    static List<Listener> parseListeners(String protocol, String table) {
        List<Listener> found = new ArrayList<>();
        for (String line : table.lines().skip(1).toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || "tcp".equals(protocol) && !TCP_LISTEN.equals(f[3])) {
                continue;
            }
            String[] local = f[1].split(":");
            int port = Integer.parseInt(local[1], 16);
            if (port == 0) {
                continue;
            }
            found.add(new Listener(protocol, address(local[0]), port, Long.parseLong(f[9])));
        }
        return found;
    }

    /** portmap's forwards now; none where there is no iptables-save (there is no portmap either). */
    static List<Forward> forwards() {
        Path save = IPTABLES_SAVE.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (save == null) {
            return List.of();
        }
        try {
            Process p = new ProcessBuilder(save.toString(), "-t", "nat").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.unavailable("'" + save + " -t nat' did not finish within 30 s; --port cannot be"
                        + " checked against the host's port forwards");
            }
            if (p.exitValue() != 0) {
                throw BosunException.unavailable("'" + save + " -t nat' failed (" + out.strip().replaceAll("\\s*\\R\\s*", "; ")
                        + "); --port cannot be checked against the host's port forwards");
            }
            return parseForwards(out);
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run " + save + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("reading the host's port forwards was interrupted");
        }
    }

    /**
     * The forwards in {@code iptables-save -t nat} output, as portmap writes them: a jump from
     * CNI-HOSTPORT-DNAT into the container's CNI-DN- chain, commented with its network and id,
     * and in that chain one DNAT rule per forwarded port ({@code -d} when limited to a host address).
     */
    static List<Forward> parseForwards(String save) {
        Map<String, String[]> owners = new HashMap<>();
        List<String> lines = save.lines().toList();
        for (String line : lines) {
            Matcher m = HOSTPORT_JUMP.matcher(line);
            if (m.find()) {
                owners.put(m.group(3), new String[] {m.group(2), m.group(1)});
            }
        }
        List<Forward> forwards = new ArrayList<>();
        for (String line : lines) {
            List<String> words = List.of(line.split(" "));
            if (words.size() < 2 || !words.get(0).equals("-A") || !owners.containsKey(words.get(1))
                    || !line.contains(" -j DNAT ")) {
                continue;
            }
            String protocol = after(words, "-p");
            String port = after(words, "--dport");
            if (protocol == null || port == null || !port.chars().allMatch(Character::isDigit)) {
                continue;
            }
            String destination = after(words, "-d");
            String[] owner = owners.get(words.get(1));
            forwards.add(new Forward(owner[0], owner[1], protocol, Integer.parseInt(port),
                    destination == null ? null : destination.replaceFirst("/(32|128)$", "")));
        }
        return forwards;
    }

    private static String after(List<String> words, String option) {
        int i = words.indexOf(option);
        return i < 0 || i + 1 >= words.size() ? null : words.get(i + 1);
    }

    /** The process that has the socket open, or -1 when /proc does not tell (gone meanwhile, or not ours to see). */
    static long pidOf(long inode) {
        String wanted = "socket:[" + inode + "]";
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                if (!proc.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : (Iterable<Path>) fds::iterator) {
                        if (wanted.equals(readLink(fd))) {
                            return Long.parseLong(proc.getFileName().toString());
                        }
                    }
                } catch (IOException | java.io.UncheckedIOException endedOrNotOurs) {
                    // the process exited while we looked, or its fds are not ours to read
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException closed) {
            return null;
        }
    }

    private static String commandOf(long pid) {
        try {
            return ", " + Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    private static InetAddress address(String hex) {
        byte[] raw = HexFormat.of().parseHex(hex);
        byte[] bytes = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                bytes[word + i] = raw[word + 3 - i];
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + hex, e);
        }
    }

    private static boolean v4(InetAddress address) {
        return address instanceof java.net.Inet4Address;
    }

    /** An address literal, or null for anything else: never a name lookup. */
    private static InetAddress literal(String text) {
        if (!text.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
