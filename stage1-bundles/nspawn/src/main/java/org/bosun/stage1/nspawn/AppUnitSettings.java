package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.PodDirectory;

/**
 * What an app's unit says beyond its command line: its volumes, a read-only rootfs, supplementary
 * groups, resource limits, {@code oom_score_adj} and appc event handlers.
 *
 * <p>Volumes: systemd-nspawn binds each volume the pod's apps mount at {@code /opt/volumes/NAME} in
 * the stage1 tree (read-only if the volume is), and each app's unit binds it on to its target
 * ({@code BindPaths=}, {@code BindReadOnlyPaths=}; systemd creates a missing target, in the app's
 * rootfs or its overlay's upper layer).
 *
 * <p>Limits: on a unified cgroup host the pod's systemd applies {@code MemoryMax=}, {@code CPUQuota=}
 * and {@code CPUWeight=} itself. On a hybrid host the pod's systemd runs on the cgroup2 hierarchy,
 * which has no memory or cpu controller there; the pod's engine process then makes one legacy
 * {@code memory} and {@code cpu} cgroup per limited app below its own (see {@link Stage1Tree#runScript}),
 * the app's process is put in them before the app's own code runs (see {@link AppStart}), and the
 * app sees its own cgroups at {@code /sys/fs/cgroup/memory} and {@code /sys/fs/cgroup/cpu}.
 */
final class AppUnitSettings {
    /** Where systemd-nspawn binds the pod's volumes inside the stage1 tree. */
    static final String VOLUMES_IN_POD = "/opt/volumes";
    /** Where the engine process binds the pod's legacy cgroups (hybrid hosts). */
    static final String CGROUPS_IN_POD = "/bosun/cgroup";
    static final long CFS_PERIOD_US = 100_000;

    private AppUnitSettings() {
    }

    /** Lines for the app's {@code [Service]} section. */
    static String lines(PodDirectory.App app, boolean legacyLimits, int oomScoreAdj) {
        StringBuilder sb = new StringBuilder();
        for (PodDirectory.Mount m : app.mounts()) {
            sb.append(m.readOnly() ? "BindReadOnlyPaths=" : "BindPaths=").append(VOLUMES_IN_POD).append('/')
                    .append(m.volume()).append(':').append(m.target()).append(m.recursive() ? ":rbind" : ":norbind")
                    .append('\n');
        }
        if (app.readonlyRootfs()) {
            // Relative to the pod's root, not the app's: its rootfs itself, volumes bound into it stay writable.
            sb.append("ReadOnlyPaths=").append(rootDirectory(app)).append('\n');
        }
        if (!app.supplementaryGids().isEmpty()) {
            sb.append("SupplementaryGroups=");
            for (int i = 0; i < app.supplementaryGids().size(); i++) {
                sb.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(app.supplementaryGids().get(i)));
            }
            sb.append('\n');
        }
        if (app.resources().oomScoreAdj() != null) {
            sb.append("OOMScoreAdjust=").append(oomScoreAdj).append('\n');
        }
        Resources r = app.resources();
        if (legacyLimits) {
            if (hasLegacyLimits(app)) {
                sb.append("TemporaryFileSystem=/sys/fs/cgroup:ro,mode=0755\n");
                for (String controller : legacyControllers(app)) {
                    sb.append("BindReadOnlyPaths=").append(CGROUPS_IN_POD).append('/').append(controller).append('/')
                            .append(PodUnits.appUnit(app.name())).append(":/sys/fs/cgroup/").append(controller)
                            .append('\n');
                }
                sb.append(AppStart.bindLine());
            }
        } else {
            if (r.memoryBytes() != null) {
                sb.append("MemoryMax=").append(r.memoryBytes()).append('\n');
            }
            if (r.cpuMillis() != null) {
                sb.append("CPUQuota=").append(Math.max(1, r.cpuMillis() / 10)).append("%\n");
            }
            if (r.cpuShares() != null) {
                // cgroup v1 shares (default 1024) to v2 weight (default 100), as runc converts them
                long weight = 1 + ((r.cpuShares() - 2) * 9999) / 262142;
                sb.append("CPUWeight=").append(Math.max(1, Math.min(10000, weight))).append('\n');
            }
        }
        // '!': the handlers run as root, as rkt ran them (the app drops to its user after
        // pre-start); only User=, Group= and SupplementaryGroups= are not applied, the rest of the
        // app's confinement is.
        List<String> preStart = app.eventHandlers().get("pre-start");
        if (preStart != null) {
            sb.append("ExecStartPre=!").append(UnitSyntax.commandLine(preStart)).append('\n');
        }
        List<String> postStop = app.eventHandlers().get("post-stop");
        if (postStop != null) {
            // '-': a failing post-stop handler does not change the app's own exit status.
            sb.append("ExecStopPost=-!").append(UnitSyntax.commandLine(postStop)).append('\n');
        }
        return sb.toString();
    }

    /**
     * The unit of the one app of an {@code --interactive} pod: the pod's console (systemd-nspawn's
     * terminal, hence bosun run's) is its stdin, stdout and stderr, a real terminal; its output is
     * then not kept in its log.
     */
    static String onTerminal(String unit) {
        StringBuilder sb = new StringBuilder();
        for (String line : unit.split("\n")) {
            if (line.startsWith("StandardInput=")) {
                sb.append("StandardInput=tty\nTTYPath=/dev/console\nTTYReset=yes\nTTYVHangup=yes\n");
            } else if (line.startsWith("StandardOutput=")) {
                sb.append("StandardOutput=inherit\n");
            } else if (line.startsWith("StandardError=")) {
                sb.append("StandardError=inherit\n");
            } else {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    static String rootDirectory(PodDirectory.App app) {
        return PodUnits.APPS_IN_POD + "/" + app.name() + "/rootfs";
    }

    static boolean hasLegacyLimits(PodDirectory.App app) {
        return !legacyControllers(app).isEmpty();
    }

    static List<String> legacyControllers(PodDirectory.App app) {
        List<String> controllers = new ArrayList<>();
        Resources r = app.resources();
        if (r.memoryBytes() != null) {
            controllers.add("memory");
        }
        if (r.cpuMillis() != null || r.cpuShares() != null) {
            controllers.add("cpu");
        }
        return controllers;
    }

    /**
     * The legacy cgroup files of each limited app, {@code APP-UNIT CONTROLLER FILE VALUE} per line,
     * that the engine process writes before systemd-nspawn starts.
     */
    static String legacyLimits(PodDirectory pod) {
        StringBuilder sb = new StringBuilder();
        for (PodDirectory.App app : pod.apps()) {
            Resources r = app.resources();
            String unit = PodUnits.appUnit(app.name());
            if (r.memoryBytes() != null) {
                sb.append(unit).append(" memory memory.limit_in_bytes ").append(r.memoryBytes()).append('\n');
            }
            if (r.cpuMillis() != null) {
                sb.append(unit).append(" cpu cpu.cfs_period_us ").append(CFS_PERIOD_US).append('\n');
                sb.append(unit).append(" cpu cpu.cfs_quota_us ").append(r.cpuMillis() * CFS_PERIOD_US / 1000)
                        .append('\n');
            }
            if (r.cpuShares() != null) {
                sb.append(unit).append(" cpu cpu.shares ").append(r.cpuShares()).append('\n');
            }
        }
        return sb.toString();
    }

    /** The volumes the pod's apps mount, each once: name to (host source, read-only, recursive). */
    static Map<String, PodDirectory.Mount> volumes(PodDirectory pod) {
        Map<String, PodDirectory.Mount> volumes = new LinkedHashMap<>();
        for (PodDirectory.App app : pod.apps()) {
            for (PodDirectory.Mount m : app.mounts()) {
                PodDirectory.Mount seen = volumes.get(m.volume());
                // writable in the pod if any app mounts it writable; each app's unit says for itself
                if (seen == null || (seen.readOnly() && !m.readOnly())) {
                    volumes.put(m.volume(), m);
                }
            }
        }
        return volumes;
    }

    /** systemd-nspawn's binds of the pod's volumes. */
    static List<String> nspawnBinds(PodDirectory pod) {
        List<String> flags = new ArrayList<>();
        for (PodDirectory.Mount m : volumes(pod).values()) {
            flags.add((m.readOnly() ? "--bind-ro=" : "--bind=") + NspawnEngine.bindPath(m.source()) + ":"
                    + VOLUMES_IN_POD + "/" + m.volume() + (m.recursive() ? ":rbind" : ":norbind"));
        }
        return flags;
    }

    /**
     * The {@code oom_score_adj} the app gets: as asked, but no lower than this process's own when it
     * lacks CAP_SYS_RESOURCE (the kernel refuses a lower value, and systemd would not start the app).
     * Returns the value and, when it was clamped, why.
     */
    static Map.Entry<Integer, String> oomScoreAdj(int requested) {
        if (hasCapability(CAP_SYS_RESOURCE)) {
            return Map.entry(requested, "");
        }
        int own = ownOomScoreAdj();
        if (requested >= own) {
            return Map.entry(requested, "");
        }
        return Map.entry(own, "--oom-score-adj " + requested + " is below what this host allows without "
                + "CAP_SYS_RESOURCE; the app gets " + own + " instead");
    }

    static final int CAP_SYS_RESOURCE = 24;

    private static boolean hasCapability(int cap) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> cap & 1) == 1;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: assume not
        }
        return false;
    }

    private static int ownOomScoreAdj() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
