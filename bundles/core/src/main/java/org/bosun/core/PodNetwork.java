package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.net.NetworkRequest;
import org.bosun.api.pod.PodOptions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A pod's network, set up at prepare time and torn down at gc, all recorded under {@code <pod>/net/}:
 * <ul>
 * <li>{@code net/netns}: the pod's named network namespace, {@code /run/netns/bosun-<uuid8>}. It lives
 * under /run/netns, not the data dir, because /run is a tmpfs: a reboot, which ends every namespace,
 * also ends every name, so no stale bind mount can outlive its namespace; and {@code ip netns} and
 * CNI tooling find it there. It is recorded before it is created, so a killed prepare leaves a
 * record that gc finds.</li>
 * <li>{@code net/provider}: the network provider ({@code cni}) asked to attach the pod's networks,
 * recorded before it is asked, so gc detaches through whichever version of it is installed then
 * (the provider keeps everything its {@code DEL}s need in the pod directory).</li>
 * <li>{@code net/attachments.json}: what each network gave the pod (interface, address, gateway,
 * DNS), for {@code bosun status}.</li>
 * </ul>
 * and the pod's {@code etc/} ({@code resolv.conf}, {@code hosts}, {@code hostname}), which the
 * engine binds over each app's files: neither the image nor the host's files are ever written.
 * {@code --net=host} shares the caller's namespace (no netns, nothing to detach); {@code --net=none}
 * is a namespace with only {@code lo}, up; every other network goes through the provider.
 */
final class PodNetwork {
    static final String HOST = "host";
    static final String NONE = "none";
    static final String DEFAULT = "default";
    /** The provider every network but host and none goes through. */
    static final String PROVIDER = "cni";
    static final String NET_DIR = "net";
    /** The same record the CNI provider's namespace helper reads, so either can remove the namespace. */
    static final String NETNS = "netns";
    static final String PROVIDER_RECORD = "provider";
    static final String ATTACHMENTS = "attachments.json";
    static final String ETC_DIR = "etc";
    static final Path NETNS_DIR = Path.of("/run/netns");
    static final String NETNS_PREFIX = "bosun-";
    private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final Path HOST_HOSTS = Path.of("/etc/hosts");
    private static final List<Path> UNSHARE = List.of(Path.of("/usr/bin/unshare"), Path.of("/bin/unshare"));
    private static final List<Path> IP = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"),
            Path.of("/bin/ip"));
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IP_ADDRESS = Pattern.compile("[0-9a-fA-F:.]+");
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ServiceLookup services;
    private final PodFiles files;

    PodNetwork(ServiceLookup services, PodFiles files) {
        this.services = services;
        this.files = files;
    }

    /** The networks a pod asks for: {@code --net}, or {@code default}; engines without namespaces get {@code host}. */
    static List<PodOptions.NetworkChoice> networks(PodOptions options, boolean privateNetwork) {
        if (options.networks().isEmpty()) {
            return List.of(new PodOptions.NetworkChoice(privateNetwork ? DEFAULT : HOST, null));
        }
        return options.networks();
    }

    static boolean isHost(List<PodOptions.NetworkChoice> networks) {
        return networks.size() == 1 && networks.get(0).name().equals(HOST);
    }

    static boolean isNone(List<PodOptions.NetworkChoice> networks) {
        return networks.size() == 1 && networks.get(0).name().equals(NONE);
    }

    /**
     * Refuses, before anything is created, a network request the engine or the installed bundles
     * cannot serve.
     */
    void check(String engineName, boolean privateNetwork, PodOptions options) {
        List<PodOptions.NetworkChoice> networks = networks(options, privateNetwork);
        for (PodOptions.NetworkChoice n : networks) {
            if ((n.name().equals(HOST) || n.name().equals(NONE)) && networks.size() > 1) {
                throw BosunException.invalid("--net=" + n.name() + " cannot be combined with other networks");
            }
        }
        if (!privateNetwork && !isHost(networks)) {
            throw BosunException.invalid("stage1 engine '" + engineName + "' runs pods only on the host's network;"
                    + " use --net=host, or another engine with --stage1-name");
        }
        if (isHost(networks) && !options.ports().isEmpty()) {
            throw BosunException.invalid("--port forwards into a pod's own network; with --net=host the apps listen"
                    + " on the host's ports already");
        }
        if (isNone(networks) && !options.ports().isEmpty()) {
            throw BosunException.invalid("--port needs a network to forward from; --net=none has only lo");
        }
        if (!isHost(networks) && !isNone(networks) && !services.hasNetworkProvider(PROVIDER)) {
            throw BosunException.unavailable("network provider '" + PROVIDER + "' is not installed, and --net="
                    + String.join(",", networks.stream().map(PodOptions.NetworkChoice::name).toList())
                    + " needs it; install the CNI bundles, or run with --net=host or --net=none");
        }
        if (options.hostsEntries().contains(HOST) && options.hostsEntries().size() > 1) {
            throw BosunException.invalid("--hosts-entry=host (the host's /etc/hosts) cannot be combined with other"
                    + " --hosts-entry values");
        }
        for (String entry : options.hostsEntries()) {
            hostsEntry(entry);
        }
        if (options.hostname() != null && !HOST_NAME.matcher(options.hostname()).matches()) {
            throw BosunException.invalid("--hostname " + options.hostname() + " is not a valid host name;"
                    + " use letters, digits, dashes and dots");
        }
    }

    /**
     * Gives the pod its network and its {@code etc/} files. On failure, whatever was done is undone
     * before the error is thrown.
     */
    void setUp(RuntimePaths paths, String uuid, Path podDir, PodOptions options, boolean privateNetwork,
            List<ImageManifest.Port> imagePorts, String hostname) {
        List<PodOptions.NetworkChoice> networks = networks(options, privateNetwork);
        List<NetworkRequest.PortMapping> ports = portMappings(options.ports(), imagePorts);
        try {
            List<NetworkAttachment> attached = List.of();
            if (!isHost(networks)) {
                Path netns = createNetns(podDir, uuid, isNone(networks));
                if (!isNone(networks)) {
                    files.writeText(podDir.resolve(NET_DIR).resolve(PROVIDER_RECORD), PROVIDER + "\n");
                    List<Map.Entry<String, Map<String, String>>> asked = new ArrayList<>();
                    networks.forEach(n -> asked.add(Map.entry(n.name(), n.args())));
                    NetworkRequest request = new NetworkRequest(paths, uuid, podDir, netns, asked, ports);
                    attached = services.withNetworkProvider(PROVIDER, p -> p.attach(request));
                }
                writeAttachments(podDir, attached);
            }
            writeEtc(podDir, options, hostname, isHost(networks), attached);
        } catch (RuntimeException e) {
            try {
                tearDown(podDir, uuid);
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
                throw new BosunException(e instanceof BosunException b ? b.kind() : ErrorKind.INTERNAL,
                        e.getMessage() + "; undoing the pod's network failed too (" + undo.getMessage()
                                + "); run bosun gc to retry", e);
            }
            throw e;
        }
    }

    /**
     * Detaches the pod's networks through the provider that attached them and removes its
     * namespace. Safe to call again, also after a partial set-up or a failed tear-down.
     */
    void tearDown(Path podDir, String uuid) {
        Path providerRecord = podDir.resolve(NET_DIR).resolve(PROVIDER_RECORD);
        String provider = readLine(providerRecord);
        if (provider != null) {
            if (!services.hasNetworkProvider(provider)) {
                throw BosunException.unavailable("pod " + uuid + " is attached to networks through provider '"
                        + provider + "', which is not installed; install the CNI bundles and run bosun gc again");
            }
            services.withNetworkProvider(provider, p -> {
                p.detach(podDir);
                return null;
            });
            delete(providerRecord);
        }
        deleteNetns(podDir, uuid);
        delete(podDir.resolve(NET_DIR).resolve(ATTACHMENTS));
        try {
            Files.deleteIfExists(podDir.resolve(NET_DIR));
        } catch (java.nio.file.DirectoryNotEmptyException keep) {
            // a provider's files stay until it has detached
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + podDir.resolve(NET_DIR) + ": " + e.getMessage(), e);
        }
    }

    /** The pod's network namespace, or null for host networking. */
    static Path netns(Path podDir) {
        String recorded = readLine(podDir.resolve(NET_DIR).resolve(NETNS));
        return recorded == null ? null : Path.of(recorded);
    }

    /** The pod's {@code etc/} for the engine, or null when none was written (a pod prepared before). */
    static Path etcDir(Path podDir) {
        Path etc = podDir.resolve(ETC_DIR);
        return Files.isDirectory(etc) ? etc : null;
    }

    /** What the pod's networks gave it, as recorded at prepare time. */
    static List<NetworkAttachment> attachments(Path podDir) {
        try {
            return JSON.readValue(podDir.resolve(NET_DIR).resolve(ATTACHMENTS).toFile(),
                    new TypeReference<List<NetworkAttachment>>() { });
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            return List.of(); // the pod is being collected, or moved while it was read
        }
    }

    /**
     * {@code --port} as CNI port mappings: a named port takes its number and protocol from the apps'
     * images ({@code 80-tcp}); rkt's five-part form gives them itself.
     */
    static List<NetworkRequest.PortMapping> portMappings(List<PodOptions.PortForward> forwards,
            List<ImageManifest.Port> imagePorts) {
        List<NetworkRequest.PortMapping> mappings = new ArrayList<>();
        Set<String> hostPorts = new LinkedHashSet<>();
        for (PodOptions.PortForward f : forwards) {
            int podPort = f.podPort();
            String protocol = f.protocol();
            if (podPort == 0) {
                ImageManifest.Port declared = imagePorts.stream().filter(p -> p.name().equals(f.name())).findFirst()
                        .orElseThrow(() -> BosunException.invalid("--port " + f.name() + ":" + f.hostPort()
                                + ": no app's image declares a port named '" + f.name() + "' (declared: "
                                + (imagePorts.isEmpty() ? "none" : String.join(", ", new TreeSet<>(
                                        imagePorts.stream().map(ImageManifest.Port::name).toList())))
                                + "); name one of those, or give NAME:PROTO:PODPORT:HOSTIP:HOSTPORT"));
                podPort = declared.port();
                protocol = protocol == null ? declared.protocol() : protocol;
            }
            protocol = protocol == null ? "tcp" : protocol;
            if (!hostPorts.add(protocol + "/" + f.hostPort())) {
                throw BosunException.invalid("--port: host port " + f.hostPort() + "/" + protocol
                        + " is forwarded twice; forward each host port once");
            }
            mappings.add(new NetworkRequest.PortMapping(f.hostPort(), podPort, protocol, f.hostIp()));
        }
        return mappings;
    }

    /** A new named namespace; with {@code loopbackUp} (--net=none) its lo is up, as CNI's loopback would leave it. */
    private Path createNetns(Path podDir, String uuid, boolean loopbackUp) {
        String compact = uuid.replace("-", "");
        String name = NETNS_PREFIX + compact.substring(0, 8);
        if (Files.exists(NETNS_DIR.resolve(name))) {
            name = NETNS_PREFIX + uuid; // another pod has the short name
        }
        Path netns = NETNS_DIR.resolve(name);
        Path record = podDir.resolve(NET_DIR).resolve(NETNS);
        try {
            Files.createDirectories(record.getParent());
        } catch (IOException e) {
            throw BosunException.internal("cannot create " + record.getParent() + ": " + e.getMessage(), e);
        }
        // Recorded first: a kill between the two steps leaves a record without a namespace, never the reverse.
        files.writeText(record, netns + "\n");
        Path unshare = UNSHARE.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (loopbackUp && unshare != null && netnsDirIsShared()) {
            createWithLoopbackUp(unshare, netns, record);
            return netns;
        }
        try {
            ip("netns", "add", name);
        } catch (BosunException e) {
            delete(record);
            throw e;
        }
        if (loopbackUp) {
            ip("-n", name, "link", "set", "lo", "up"); // on failure, setUp's tear-down deletes the namespace
        }
        return netns;
    }

    /**
     * What {@code ip netns add NAME} and {@code ip -n NAME link set lo up} do, in one process instead
     * of two (each costs a fork of this JVM): the file is created as ip creates it, and
     * {@code unshare --net=FILE} bind-mounts the new namespace onto it from the caller's mount
     * namespace, then runs {@code ip link set lo up} inside. Only once {@code /run/netns} is the
     * shared mount {@code ip netns add} makes of it, so the namespace shows in other mount
     * namespaces the same way; {@code ip netns} lists it and {@code ip netns delete} removes it.
     */
    private static void createWithLoopbackUp(Path unshare, Path netns, Path record) {
        try {
            Files.createFile(netns);
        } catch (IOException e) {
            delete(record);
            throw BosunException.unavailable("cannot create the network namespace file " + netns + ": " + e.getMessage());
        }
        try {
            run(List.of(unshare.toString(), "--net=" + netns, ipCommand().toString(), "link", "set", "lo", "up"));
        } catch (BosunException e) {
            try {
                ip("netns", "delete", netns.getFileName().toString());
                delete(record);
            } catch (BosunException undo) {
                e.addSuppressed(undo); // the record stays: gc deletes the namespace
            }
            throw e;
        }
    }

    /** Set once seen: nothing in bosun makes {@code /run/netns} private again. */
    private static volatile boolean netnsDirShared;

    private static boolean netnsDirIsShared() {
        if (!netnsDirShared) {
            try {
                // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - ...
                netnsDirShared = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                        .map(l -> l.split(" - ", 2)[0].split(" "))
                        .anyMatch(f -> f.length > 6 && f[4].equals(NETNS_DIR.toString())
                                && java.util.Arrays.stream(f, 6, f.length).anyMatch(o -> o.startsWith("shared:")));
            } catch (IOException e) {
                return false;
            }
        }
        return netnsDirShared;
    }

    private static void deleteNetns(Path podDir, String uuid) {
        Path record = podDir.resolve(NET_DIR).resolve(NETNS);
        Path netns = netns(podDir);
        if (netns == null) {
            return;
        }
        String name = netns.getFileName().toString();
        if (!NETNS_DIR.equals(netns.getParent()) || !name.startsWith(NETNS_PREFIX)) {
            throw BosunException.invalid("pod " + uuid + ": " + record + " names " + netns
                    + ", which bosun does not create; check that namespace, then remove the file");
        }
        if (Files.exists(netns)) {
            ip("netns", "delete", name);
        }
        delete(record);
    }

    private void writeAttachments(Path podDir, List<NetworkAttachment> attached) {
        try {
            files.writeText(podDir.resolve(NET_DIR).resolve(ATTACHMENTS), JSON.writeValueAsString(attached) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw BosunException.internal("cannot record the networks of pod " + podDir.getFileName(), e);
        }
    }

    private void writeEtc(Path podDir, PodOptions options, String hostname, boolean hostNetwork,
            List<NetworkAttachment> attached) {
        Path etc = podDir.resolve(ETC_DIR);
        try {
            Files.createDirectories(etc);
        } catch (IOException e) {
            throw BosunException.internal("cannot create " + etc + ": " + e.getMessage(), e);
        }
        files.writeText(etc.resolve("hostname"), hostname + "\n");
        files.writeText(etc.resolve("hosts"), hosts(options.hostsEntries(), hostname, attached));
        files.writeText(etc.resolve("resolv.conf"), resolvConf(options.dns(), hostNetwork, attached,
                readHost(HOST_RESOLV_CONF)));
    }

    /**
     * {@code /etc/hosts}: localhost, the pod's name on each of its addresses (127.0.1.1 when it has
     * none, as Debian does), then {@code --hosts-entry}; {@code --hosts-entry=host} is the host's file.
     */
    static String hosts(List<String> entries, String hostname, List<NetworkAttachment> attached) {
        if (entries.size() == 1 && entries.get(0).equals(HOST)) {
            return readHost(HOST_HOSTS);
        }
        StringBuilder sb = new StringBuilder("# written by bosun for this pod\n");
        sb.append("127.0.0.1\tlocalhost\n");
        sb.append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        List<String> own = new ArrayList<>();
        for (NetworkAttachment a : attached) {
            if (a.address() != null) {
                own.add(a.address().replaceFirst("/.*", ""));
            }
        }
        if (own.isEmpty()) {
            own.add("127.0.1.1");
        }
        String shortName = hostname.contains(".") ? hostname.substring(0, hostname.indexOf('.')) : null;
        for (String ip : new LinkedHashSet<>(own)) {
            sb.append(ip).append('\t').append(hostname).append(shortName == null ? "" : " " + shortName).append('\n');
        }
        for (String entry : entries) {
            Map.Entry<String, List<String>> e = hostsEntry(entry);
            sb.append(e.getKey()).append('\t').append(String.join(" ", e.getValue())).append('\n');
        }
        return sb.toString();
    }

    /** {@code IP=HOST[,HOST...]}; {@code host} alone means the host's file. */
    static Map.Entry<String, List<String>> hostsEntry(String entry) {
        if (entry.equals(HOST)) {
            return null;
        }
        int eq = entry.indexOf('=');
        String ip = eq < 0 ? "" : entry.substring(0, eq);
        List<String> names = eq < 0 ? List.of() : List.of(entry.substring(eq + 1).split(",", -1));
        if (!IP_ADDRESS.matcher(ip).matches() || names.isEmpty()
                || names.stream().anyMatch(n -> !HOST_NAME.matcher(n).matches())) {
            throw BosunException.invalid("--hosts-entry " + entry + " is not IP=HOST[,HOST...] (or 'host' alone)");
        }
        return Map.entry(ip, names);
    }

    /**
     * {@code /etc/resolv.conf}: {@code --dns=none} none at all; {@code --dns=host} the host's file;
     * otherwise the name servers of {@code --dns}, else of the first network that gave some, else
     * the host's (without loopback servers, which the pod's own namespace cannot reach); search
     * domains, options and domain likewise, {@code --dns-*} first.
     */
    static String resolvConf(PodOptions.DnsSettings dns, boolean hostNetwork, List<NetworkAttachment> attached,
            String hostResolvConf) {
        if (dns.mode().equals(NONE)) {
            return "# --dns=none: no name servers\n";
        }
        if (dns.mode().equals(HOST)) {
            return hostResolvConf;
        }
        NetworkAttachment.Dns base = attached.stream().map(NetworkAttachment::dns).filter(d -> !d.absent())
                .findFirst().orElseGet(() -> parseResolvConf(hostResolvConf, hostNetwork));
        List<String> servers = dns.servers().isEmpty() ? base.nameservers() : dns.servers();
        List<String> search = dns.search().isEmpty() ? base.search() : dns.search();
        Set<String> options = new LinkedHashSet<>(dns.options());
        options.addAll(base.options());
        String domain = dns.domain() != null ? dns.domain() : base.domain();
        StringBuilder sb = new StringBuilder("# written by bosun for this pod\n");
        servers.forEach(s -> sb.append("nameserver ").append(s).append('\n'));
        if (domain != null) {
            sb.append("domain ").append(domain).append('\n');
        }
        if (!search.isEmpty()) {
            sb.append("search ").append(String.join(" ", search)).append('\n');
        }
        if (!options.isEmpty()) {
            sb.append("options ").append(String.join(" ", options)).append('\n');
        }
        return sb.toString();
    }

    static NetworkAttachment.Dns parseResolvConf(String text, boolean keepLoopback) {
        List<String> servers = new ArrayList<>();
        List<String> search = new ArrayList<>();
        List<String> options = new ArrayList<>();
        String domain = null;
        for (String line : text.split("\\R")) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 2 || words[0].startsWith("#") || words[0].startsWith(";")) {
                continue;
            }
            List<String> rest = List.of(words).subList(1, words.length);
            switch (words[0]) {
                case "nameserver" -> {
                    String s = words[1];
                    if (keepLoopback || !(s.startsWith("127.") || s.equals("::1"))) {
                        servers.add(s);
                    }
                }
                case "search" -> {
                    search.clear();
                    search.addAll(rest);
                }
                case "domain" -> domain = words[1];
                case "options" -> options.addAll(rest);
                default -> {
                }
            }
        }
        return new NetworkAttachment.Dns(servers, domain, search, options);
    }

    private static String readHost(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw BosunException.unavailable("cannot read the host's " + file + ": " + e.getMessage());
        }
    }

    private static String readLine(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? null : text;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path ipCommand() {
        return IP.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> BosunException.unavailable(
                "a pod's own network namespace needs iproute2's ip command; install iproute2, or use --net=host"));
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ipCommand().toString());
        command.addAll(List.of(args));
        run(command);
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.unavailable("'" + String.join(" ", command) + "' did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw BosunException.unavailable("'" + String.join(" ", command) + "' failed: "
                        + output.replaceAll("\\s*\\R\\s*", "; "));
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("'" + String.join(" ", command) + "' was interrupted");
        }
    }

    /** The pod's host name: {@code --hostname}, or {@code bosun-<uuid8>}. */
    static String hostname(PodOptions options, String uuid) {
        return options.hostname() != null ? options.hostname() : "bosun-" + uuid.replace("-", "").substring(0, 8);
    }
}
