package org.bosun.image.oci.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;

/**
 * Maps an OCI / Docker image config to bosun's {@link ImageManifest}, as rkt's docker2aci did:
 * entrypoint followed by cmd is the command; {@code User "name[:group]"} is kept as written (core
 * resolves names against the image's own /etc/passwd and /etc/group; no group means the user's
 * primary group); exposed ports become ports named {@code 80-tcp}; volumes become mount points named
 * {@code volume-<path with dashes>}; labels become annotations; os, arch and the tag become labels.
 */
public final class ImageConfigMapping {
    private ImageConfigMapping() {
    }

    /**
     * @param name the image name (the repository: {@code 127.0.0.1:5000/test/busybox})
     * @param tag the tag it was fetched by, or null (becomes the {@code version} label)
     * @param config the image config
     * @param subject how messages name the image
     */
    public static ImageManifest toManifest(String name, String tag, ImageConfig config, String subject) {
        ImageConfig.RunConfig run = config.config();
        Map<String, String> labels = new LinkedHashMap<>();
        if (tag != null) {
            labels.put("version", tag);
        }
        if (config.os() != null) {
            labels.put("os", config.os());
        }
        if (config.architecture() != null) {
            labels.put("arch", config.architecture());
        }
        if (run == null) {
            return new ImageManifest(name, labels, List.of(), null, null, null, Map.of(), Map.of(), null, null, null, null);
        }
        List<String> exec = new ArrayList<>();
        if (run.entrypoint() != null) {
            exec.addAll(run.entrypoint());
        }
        if (run.cmd() != null) {
            exec.addAll(run.cmd());
        }
        String user = null;
        String group = null;
        if (run.user() != null && !run.user().isEmpty()) {
            int colon = run.user().indexOf(':');
            user = colon < 0 ? run.user() : run.user().substring(0, colon);
            group = colon < 0 ? null : run.user().substring(colon + 1);
        }
        String workingDir = run.workingDir() == null || run.workingDir().isEmpty() ? null : run.workingDir();
        Map<String, String> annotations = run.labels() == null ? Map.of() : new LinkedHashMap<>(run.labels());
        annotations.values().removeIf(v -> v == null);
        return new ImageManifest(name, labels, exec, user, group, workingDir, environment(run.env(), subject),
                annotations, ports(run.exposedPorts(), subject), mountPoints(run.volumes()), null, null);
    }

    static Map<String, String> environment(List<String> env, String subject) {
        Map<String, String> result = new LinkedHashMap<>();
        if (env == null) {
            return result;
        }
        for (String entry : env) {
            int eq = entry == null ? -1 : entry.indexOf('=');
            if (eq <= 0) {
                throw BosunException.invalid(subject + " has the environment entry '" + entry + "', which is not NAME=value");
            }
            result.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return result;
    }

    /** {@code "80/tcp"} becomes port {@code 80-tcp}; a port without protocol is tcp, as in Docker. */
    static List<ImageManifest.Port> ports(Map<String, Object> exposed, String subject) {
        List<ImageManifest.Port> ports = new ArrayList<>();
        if (exposed == null) {
            return ports;
        }
        for (String spec : new TreeSet<>(exposed.keySet())) {
            int slash = spec.indexOf('/');
            String number = slash < 0 ? spec : spec.substring(0, slash);
            String protocol = slash < 0 ? "tcp" : spec.substring(slash + 1).toLowerCase(Locale.ROOT);
            int port;
            try {
                port = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535 || !(protocol.equals("tcp") || protocol.equals("udp") || protocol.equals("sctp"))) {
                throw BosunException.invalid(subject + " exposes the port '" + spec + "', which is not PORT[/tcp|udp|sctp]");
            }
            ports.add(new ImageManifest.Port(port + "-" + protocol, protocol, port));
        }
        return ports;
    }

    /** {@code /var/lib/data} becomes mount point {@code volume-var-lib-data}; duplicates get {@code -1}, {@code -2}. */
    static List<ImageManifest.MountPoint> mountPoints(Map<String, Object> volumes) {
        List<ImageManifest.MountPoint> points = new ArrayList<>();
        if (volumes == null) {
            return points;
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String path : new TreeSet<>(volumes.keySet())) {
            String name = acName("volume/" + path);
            int n = seen.merge(name, 1, Integer::sum);
            points.add(new ImageManifest.MountPoint(n == 1 ? name : name + "-" + (n - 1), path, false));
        }
        return points;
    }

    /** appc's SanitizeACName: lower case, runs of other characters become one dash, no dash at the ends. */
    static String acName(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    }
}
