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
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.PodOptions;

/**
 * The pod's {@code etc/} ({@code hostname}, {@code hosts}, {@code resolv.conf}), which the engine
 * binds over each app's files: neither the image nor the host's files are ever written. They are
 * written after the networks are attached, since the addresses and DNS come from them.
 */
final class PodEtcFiles {
    static final String DIR = "etc";
    /** {@code --hosts-entry=host} and {@code --dns=host}: the host's own file. */
    private static final String HOST = "host";
    private static final String NONE = "none";
    private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final Path HOST_HOSTS = Path.of("/etc/hosts");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern IP_ADDRESS = Pattern.compile("[0-9a-fA-F:.]+");

    private final PodFiles files;

    PodEtcFiles(PodFiles files) {
        this.files = files;
    }

    /** The pod's {@code etc/} for the engine, or null when none was written (a pod prepared before). */
    static Path etcDir(Path podDir) {
        Path etc = podDir.resolve(DIR);
        return Files.isDirectory(etc) ? etc : null;
    }

    /** Refuses, before anything is created, {@code --hosts-entry} and {@code --hostname} values that cannot be written. */
    static void check(PodOptions options) {
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

    void write(Path podDir, PodOptions options, String hostname, boolean hostNetwork, List<NetworkAttachment> attached) {
        Path etc = podDir.resolve(DIR);
        try {
            Files.createDirectories(etc);
        } catch (IOException e) {
            throw BosunException.internal("cannot create " + etc + ": " + e.getMessage(), e);
        }
        files.writeText(etc.resolve("hostname"), hostname + "\n");
        files.writeText(etc.resolve("hosts"), hosts(options.hostsEntries(), hostname, attached));
        String resolvConf = resolvConf(options.dns(), hostNetwork, attached, readHost(HOST_RESOLV_CONF));
        if (resolvConf != null) {
            files.writeText(etc.resolve("resolv.conf"), resolvConf);
        } else {
            try {
                Files.deleteIfExists(etc.resolve("resolv.conf"));
            } catch (IOException e) {
                throw BosunException.internal("cannot remove " + etc.resolve("resolv.conf") + ": " + e.getMessage(), e);
            }
        }
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
     * {@code /etc/resolv.conf}: {@code --dns=none} none at all (null: the engines bind nothing, so an
     * app sees its image's own file, if any, as with rkt); {@code --dns=host} the host's file;
     * otherwise the name servers of {@code --dns}, else of the first network that gave some, else
     * the host's (without loopback servers, which the pod's own namespace cannot reach); search
     * domains, options and domain likewise, {@code --dns-*} first.
     */
    static String resolvConf(PodOptions.DnsSettings dns, boolean hostNetwork, List<NetworkAttachment> attached,
            String hostResolvConf) {
        if (dns.mode().equals(NONE)) {
            return null;
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
}
