package org.bosun.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.pod.AppSettings.MountRequest;
import org.bosun.api.pod.Resources;

/**
 * Parses one app's rkt per-app flags beyond name, exec, user, group, working dir and environment,
 * given after the app's image (mounts, isolators, capabilities, seccomp), into its settings. Checks
 * their syntax here; whether a volume exists or a capability is known is checked when the pod is
 * prepared.
 */
final class AppFlagParser {
    static final List<String> NAMES = List.of("--supplementary-gids", "--readonly-rootfs", "--mount", "--memory",
            "--cpu", "--cpu-shares", "--oom-score-adj", "--caps-retain", "--caps-remove", "--seccomp",
            "--user-annotation", "--user-label", "--no-new-privileges");
    /** Flags that may stand alone, meaning true. */
    static final Set<String> BOOLEAN = Set.of("--readonly-rootfs", "--no-new-privileges");

    private final String image;
    private final List<Integer> supplementaryGids = new ArrayList<>();
    private final List<MountRequest> mounts = new ArrayList<>();
    private boolean readonlyRootfs;
    private Long memory;
    private Long cpuMillis;
    private Long cpuShares;
    private Integer oomScoreAdj;
    private final List<String> capsRetain = new ArrayList<>();
    private final List<String> capsRemove = new ArrayList<>();
    private String seccomp;
    private Boolean noNewPrivileges;
    private final java.util.Map<String, String> userAnnotations = new java.util.LinkedHashMap<>();
    private final java.util.Map<String, String> userLabels = new java.util.LinkedHashMap<>();

    AppFlagParser(String image) {
        this.image = image;
    }

    /**
     * Adds the {@code --mount}s given before the first image (every app's, as rkt's), each unless
     * this app's own {@code --mount} has its target.
     */
    void podMounts(List<String> values) {
        List<MountRequest> pod = new ArrayList<>();
        for (String value : values) {
            MountRequest m = mount(value);
            if (mounts.stream().noneMatch(own -> sameTarget(own.target(), m.target()))) {
                pod.add(m);
            }
        }
        mounts.addAll(0, pod);
    }

    private static boolean sameTarget(String a, String b) {
        java.nio.file.Path root = java.nio.file.Path.of("/");
        return root.resolve(a).normalize().equals(root.resolve(b).normalize());
    }

    boolean accept(String flag, String value) {
        switch (flag) {
            case "--supplementary-gids" -> {
                for (String gid : value.split(",")) {
                    supplementaryGids.add((int) number(flag, gid.trim(), 0, Integer.MAX_VALUE));
                }
            }
            case "--readonly-rootfs" -> readonlyRootfs = bool(flag, value);
            case "--no-new-privileges" -> noNewPrivileges = bool(flag, value);
            case "--mount" -> mounts.add(mount(value));
            case "--memory" -> memory = bytes(value);
            case "--cpu" -> cpuMillis = cpu(value);
            case "--cpu-shares" -> cpuShares = number(flag, value, 2, 262144);
            case "--oom-score-adj" -> oomScoreAdj = (int) number(flag, value, -1000, 1000);
            case "--caps-retain" -> capsRetain.addAll(capabilities(flag, value));
            case "--caps-remove" -> capsRemove.addAll(capabilities(flag, value));
            case "--seccomp" -> {
                if (value.isBlank()) {
                    throw BosunException.invalid("--seccomp of image " + image + " is empty; write mode=retain|remove,SYSCALL,...");
                }
                seccomp = value;
            }
            case "--user-annotation" -> userAnnotations.putAll(PrepareFlags.keyValues(List.of(value), flag));
            case "--user-label" -> userLabels.putAll(PrepareFlags.keyValues(List.of(value), flag));
            default -> {
                return false;
            }
        }
        return true;
    }

    AppSettings settings() {
        Resources resources = new Resources(memory, cpuMillis, cpuShares, oomScoreAdj);
        return new AppSettings(supplementaryGids, mounts, readonlyRootfs, resources, capsRetain, capsRemove, seccomp,
                userAnnotations, userLabels, null, null, null, false, noNewPrivileges);
    }

    private boolean bool(String flag, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw BosunException.invalid(flag + "=" + value + " of image " + image + " is not true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private long number(String flag, String value, long min, long max) {
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw BosunException.invalid(flag + " " + value + " of image " + image + " is not a number from " + min
                    + " to " + max);
        }
    }

    /**
     * {@code volume=NAME,target=PATH}; a relative target is from the app's {@code /}, and core
     * resolves it (links, {@code ..}) inside the app's image.
     */
    private MountRequest mount(String value) {
        String volume = null;
        String target = null;
        for (String part : value.split(",")) {
            if (part.startsWith("volume=")) {
                volume = part.substring(7);
            } else if (part.startsWith("target=")) {
                target = part.substring(7);
            } else {
                volume = null;
                break;
            }
        }
        if (volume == null || volume.isEmpty() || target == null || target.isEmpty()) {
            throw BosunException.invalid("--mount " + value + (image == null ? "" : " of image " + image)
                    + " is not volume=NAME,target=PATH");
        }
        return new MountRequest(volume, target);
    }

    /** Kubernetes-style quantities as rkt took them: 512M, 1G, 1Gi, 1048576. */
    private Long bytes(String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)([KMGT]i?)?").matcher(value);
        if (!m.matches()) {
            throw BosunException.invalid("--memory " + value + " of image " + image
                    + " is not a size like 512M, 1G or 1073741824");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        if (unit != null) {
            long base = unit.endsWith("i") ? 1024 : 1000;
            int power = "KMGT".indexOf(unit.charAt(0)) + 1;
            for (int i = 0; i < power; i++) {
                n = Math.multiplyExact(n, base);
            }
        }
        if (n < 4 * 1024 * 1024) {
            throw BosunException.invalid("--memory " + value + " of image " + image + " is below 4 MiB; no app starts with that");
        }
        return n;
    }

    /** {@code 500m} (millicores) or {@code 2} (cores). */
    private Long cpu(String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(m?)").matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw BosunException.invalid("--cpu " + value + " of image " + image + " is not a CPU amount like 500m or 2");
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).isEmpty() ? n * 1000 : n;
    }

    private List<String> capabilities(String flag, String value) {
        List<String> caps = new ArrayList<>();
        for (String cap : value.split(",")) {
            String c = cap.trim().toUpperCase(Locale.ROOT);
            if (!c.startsWith("CAP_")) {
                c = "CAP_" + c;
            }
            if (!c.matches("CAP_[A-Z_]+")) {
                throw BosunException.invalid(flag + " of image " + image + ": '" + cap + "' is not a capability name");
            }
            caps.add(c);
        }
        return caps;
    }
}
