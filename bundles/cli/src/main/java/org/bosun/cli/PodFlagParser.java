package org.bosun.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.pod.PodOptions.DnsSettings;
import org.bosun.api.pod.PodOptions.NetworkChoice;
import org.bosun.api.pod.PodOptions.PortForward;
import org.bosun.api.pod.PodOptions.VolumeSpec;

/**
 * Parses the pod-level flags of {@code run} and {@code prepare} in rkt's syntax. Each parser
 * checks the syntax of its flag and names the flag and the bad value; whether a network, port or
 * volume exists is checked when the pod is prepared.
 */
final class PodFlagParser {
    private PodFlagParser() {
    }

    /** {@code --net=default,mynet:IP=10.1.2.3;K=V} → one choice per network, in order. */
    static List<NetworkChoice> networks(List<String> values) {
        List<NetworkChoice> result = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String value : values) {
            String v = value.trim();
            if (v.isEmpty()) {
                throw BosunException.invalid("--net has an empty network name; write --net=default or --net=NAME[:K=V;...]");
            }
            int colon = v.indexOf(':');
            String name = colon < 0 ? v : v.substring(0, colon);
            Map<String, String> args = new LinkedHashMap<>();
            if (colon >= 0) {
                for (String arg : v.substring(colon + 1).split(";")) {
                    int eq = arg.indexOf('=');
                    if (eq <= 0) {
                        throw BosunException.invalid("--net=" + v + ": argument '" + arg + "' is not K=V");
                    }
                    args.put(arg.substring(0, eq), arg.substring(eq + 1));
                }
            }
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw BosunException.invalid("--net: '" + name + "' is not a network name");
            }
            if (!seen.add(name)) {
                throw BosunException.invalid("--net names network '" + name + "' twice");
            }
            result.add(new NetworkChoice(name, args));
        }
        return result;
    }

    /** rkt's {@code NAME:HOSTPORT}, {@code NAME:HOSTIP:HOSTPORT} or {@code NAME:PROTO:PODPORT:HOSTIP:HOSTPORT}. */
    static List<PortForward> ports(List<String> values) {
        List<PortForward> result = new ArrayList<>();
        for (String value : values) {
            String[] parts = value.split(":", -1);
            try {
                if (parts.length == 2) {
                    result.add(new PortForward(parts[0], null, 0, null, port(parts[1])));
                } else if (parts.length == 3 && parts[1].matches("[0-9.]+")) {
                    result.add(new PortForward(parts[0], null, 0, parts[1], port(parts[2])));
                } else if (parts.length == 5) {
                    String proto = parts[1].toLowerCase(Locale.ROOT);
                    if (!proto.equals("tcp") && !proto.equals("udp")) {
                        throw BosunException.invalid("--port " + value + ": protocol '" + parts[1] + "' is not tcp or udp");
                    }
                    result.add(new PortForward(parts[0].isEmpty() ? null : parts[0], proto, port(parts[2]),
                            parts[3].isEmpty() ? null : parts[3], port(parts[4])));
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw BosunException.invalid("--port " + value
                        + " is not NAME:HOSTPORT, NAME:HOSTIP:HOSTPORT or NAME:PROTO:PODPORT:HOSTIP:HOSTPORT (ports 1-65535)");
            }
        }
        return result;
    }

    private static int port(String text) {
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new NumberFormatException();
        }
        return port;
    }

    static DnsSettings dns(List<String> servers, List<String> search, List<String> options, String domain) {
        String mode = "default";
        if (servers.contains("host") || servers.contains("none")) {
            if (servers.size() != 1) {
                throw BosunException.invalid("--dns=host and --dns=none cannot be combined with other --dns values");
            }
            mode = servers.get(0);
            if (!search.isEmpty() || !options.isEmpty() || domain != null) {
                throw BosunException.invalid("--dns=" + mode + " cannot be combined with --dns-search, --dns-opt or --dns-domain");
            }
            return new DnsSettings(mode, List.of(), List.of(), List.of(), null);
        }
        for (String server : servers) {
            if (!server.matches("[0-9a-fA-F:.]+")) {
                throw BosunException.invalid("--dns " + server + " is not an IP address (or 'host', 'none')");
            }
        }
        if (!servers.isEmpty() || !search.isEmpty() || !options.isEmpty() || domain != null) {
            mode = "explicit";
        }
        return new DnsSettings(mode, servers, search, options, domain);
    }

    /**
     * {@code NAME,kind=host|empty,source=PATH,readOnly=BOOL,recursive=BOOL,mode=0755,uid=N,gid=N}. As
     * appc's volumes, {@code kind} is required and a host volume's source is absolute: a relative
     * one would be read against a directory the user may not think of (the agent has its own).
     */
    static List<VolumeSpec> volumes(List<String> values) {
        List<VolumeSpec> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String value : values) {
            String[] parts = value.split(",");
            String name = parts[0];
            if (!name.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw BosunException.invalid("--volume " + value + ": '" + name
                        + "' is not a volume name (lower case letters, digits and single dashes)");
            }
            if (!names.add(name)) {
                throw BosunException.invalid("--volume " + name + " is given twice");
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw BosunException.invalid("--volume " + value + ": '" + parts[i] + "' is not KEY=VALUE");
                }
                kv.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
            String kind = kv.get("kind");
            String source = kv.get("source");
            if (kind == null) {
                throw BosunException.invalid("--volume " + name + ": no kind; give kind=host,source=PATH (a host"
                        + " directory) or kind=empty (a new empty directory)");
            }
            if (kind.equals("host")) {
                if (source == null || source.isEmpty()) {
                    throw BosunException.invalid("--volume " + name + ": kind=host needs source=PATH");
                }
                if (!source.startsWith("/")) {
                    throw BosunException.invalid("--volume " + name + ": source '" + source + "' is not an absolute"
                            + " path; give the host directory's full path");
                }
                source = Path.of(source).normalize().toString();
            } else if (kind.equals("empty")) {
                if (source != null) {
                    throw BosunException.invalid("--volume " + name + ": kind=empty takes no source");
                }
            } else {
                throw BosunException.invalid("--volume " + name + ": kind '" + kind + "' is not host or empty");
            }
            for (String key : kv.keySet()) {
                if (!Set.of("kind", "source", "readOnly", "recursive", "mode", "uid", "gid").contains(key)) {
                    throw BosunException.invalid("--volume " + name + ": unknown key '" + key
                            + "'; keys are kind, source, readOnly, recursive, mode, uid, gid");
                }
            }
            String mode = kv.get("mode");
            if (mode != null && !mode.matches("0?[0-7]{3,4}")) {
                throw BosunException.invalid("--volume " + name + ": mode '" + mode + "' is not octal like 0755");
            }
            result.add(new VolumeSpec(name, kind, source, bool(kv, "readOnly", false, name),
                    bool(kv, "recursive", true, name), mode, integer(kv, "uid", name), integer(kv, "gid", name)));
        }
        return result;
    }

    private static boolean bool(Map<String, String> kv, String key, boolean dflt, String volume) {
        String v = kv.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw BosunException.invalid("--volume " + volume + ": " + key + "=" + v + " is not true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private static Integer integer(Map<String, String> kv, String key, String volume) {
        String v = kv.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw BosunException.invalid("--volume " + volume + ": " + key + "=" + v + " is not a number");
        }
    }

    /** {@code --set-env-file} files in order, then {@code --set-env}, later entries winning. */
    static Map<String, String> environment(List<String> files, List<String> setEnv, Session session) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String file : files) {
            Path path = session.resolve(file);
            List<String> lines;
            try {
                lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw BosunException.invalid("--set-env-file " + path + " cannot be read: " + e.getMessage());
            }
            int number = 0;
            for (String line : lines) {
                number++;
                String trimmed = line.strip();
                // rkt skipped blank lines and comments starting with # or ; (systemd EnvironmentFile syntax).
                if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                    continue;
                }
                int eq = trimmed.indexOf('=');
                if (eq <= 0) {
                    throw BosunException.invalid("--set-env-file " + path + " line " + number + " is not NAME=VALUE");
                }
                env.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
            }
        }
        env.putAll(PrepareFlags.keyValues(setEnv, "--set-env"));
        return env;
    }

    static String pullPolicy(String value) {
        if (value == null) {
            return null;
        }
        if (!Set.of("new", "update", "never").contains(value)) {
            throw BosunException.invalid("--pull-policy " + value + " is not new, update or never");
        }
        return value;
    }

    /** rkt's {@code --ipc}: null (not given) is {@code auto}, the engine's default. */
    static String ipc(String value) {
        if (value == null) {
            return null;
        }
        if (!Set.of("auto", "private", "parent").contains(value)) {
            throw BosunException.invalid("--ipc=" + value + " is not auto, private or parent");
        }
        return value;
    }
}
