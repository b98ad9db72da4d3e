package org.bosun.stage1.nspawn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.stage1.PodDirectory;
import org.bosun.stage1.rules.EtcMountPoints;

/**
 * The systemd units that make up a pod, as rkt's coreos stage1 had them: {@code pod.target} wants
 * one {@code app-NAME.service} per app, one {@code reaper-NAME.service} that records the app's
 * exit status when it stops and ends the pod when it was the last app (see {@link Stage1Tree#reapScript}),
 * and one {@code started-NAME.service} that records its start (see {@link AppStart}).
 *
 * <p>Units are named {@code app-NAME} rather than {@code NAME} so that no app name can replace one of
 * systemd's own units, which come from the host's {@code /usr/lib/systemd/system}.
 */
final class PodUnits {
    /** Where the pod's {@code apps/} directory is mounted inside the stage1 tree. */
    static final String APPS_IN_POD = "/opt/stage2";
    static final String TARGET = "pod.target";
    static final String STDOUT = "/run/bosun/stdout";
    static final String STDERR = "/run/bosun/stderr";
    /**
     * What systemd adds to a service's environment on its own. Each is removed unless the app sets it,
     * so that an app sees the environment the pod manifest gives it, as with the other engines.
     */
    static final List<String> SYSTEMD_ADDS = List.of("INVOCATION_ID", "SYSTEMD_EXEC_PID", "LANG", "LANGUAGE", "TERM",
            "HOME", "LOGNAME", "USER", "SHELL");

    static final String HALT_TARGET = "halt.target";
    static final String STOP_SERVICE = "bosun-stop.service";
    /**
     * systemd-nspawn passes SIGTERM on as SIGRTMIN+3, on which systemd starts halt.target. This one
     * replaces the host's: instead of halting, the pod exits (systemctl exit), so that its exit code
     * becomes systemd-nspawn's: 143 (stopped by SIGTERM) unless the last reaper sets the apps' code.
     */
    static final String HALT = "[Unit]\n"
            + "Description=bosun: stop the pod\n"
            + "DefaultDependencies=no\n"
            + "Wants=" + STOP_SERVICE + "\n";
    static final String STOP = "[Unit]\n"
            + "Description=bosun: stop the pod\n"
            + "DefaultDependencies=no\n"
            + "\n"
            + "[Service]\n"
            + "Type=oneshot\n"
            + "ExecStart=/usr/bin/systemctl --no-block exit 143\n"
            + "StandardOutput=append:" + STDERR + "\n"
            + "StandardError=append:" + STDERR + "\n";
    /** A sandbox ends with code 0 when it is stopped, as on the oci engine: its apps' codes are their own. */
    static final String STOP_SANDBOX = STOP.replace("exit 143", "exit 0");

    private PodUnits() {
    }

    static String appUnit(String app) {
        return "app-" + app + ".service";
    }

    static String reaperUnit(String app) {
        return "reaper-" + app + ".service";
    }

    /** File name to content, for {@code /etc/systemd/system}. */
    static Map<String, String> all(PodDirectory pod) {
        boolean legacyLimits = PodCgroup.ofHost().map(PodCgroup::hybrid).orElse(false);
        Map<String, String> units = new LinkedHashMap<>();
        units.put(TARGET, target(pod));
        units.put(HALT_TARGET, HALT);
        units.put(STOP_SERVICE, AddedApps.sandbox(pod) ? STOP_SANDBOX : STOP);
        for (PodDirectory.App app : pod.apps()) {
            units.putAll(appUnits(pod, app, legacyLimits));
        }
        return units;
    }

    /** The units of one app: its own, its reaper's and its start recorder's (file name to content). */
    static Map<String, String> appUnits(PodDirectory pod, PodDirectory.App app, boolean legacyLimits) {
        Map<String, String> units = new LinkedHashMap<>();
        String unit = app(app, EtcMountPoints.present(pod, app), legacyLimits,
                app.resources().oomScoreAdj() == null ? 0 : AppUnitSettings.oomScoreAdj(app.resources().oomScoreAdj()).getKey());
        units.put(appUnit(app.name()), pod.settings().interactive() ? AppUnitSettings.onTerminal(unit) : unit);
        units.put(reaperUnit(app.name()), reaper(app.name()));
        units.put(AppStart.unitName(app.name()), AppStart.unit(app, legacyLimits && AppUnitSettings.hasLegacyLimits(app)));
        return units;
    }

    static String target(PodDirectory pod) {
        List<String> wants = new ArrayList<>();
        for (PodDirectory.App app : pod.apps()) {
            wants.add(appUnit(app.name()));
            wants.add(reaperUnit(app.name()));
            wants.add(AppStart.unitName(app.name()));
        }
        return "[Unit]\n"
                + "Description=bosun pod " + pod.uuid() + "\n"
                + "DefaultDependencies=no\n"
                + "Wants=" + String.join(" ", wants) + "\n";
    }

    static String app(PodDirectory.App app) {
        return app(app, List.of());
    }

    /** An app's unit, with the pod's {@code etc} files bound over the app's own. */
    static String app(PodDirectory.App app, List<String> podEtcFiles) {
        return app(app, podEtcFiles, false, app.resources().oomScoreAdj() == null ? 0 : app.resources().oomScoreAdj());
    }

    /**
     * An app's unit; {@code legacyLimits} when its limits go to legacy cgroups (hybrid host), with
     * {@code oomScoreAdj} as this host allows it.
     */
    static String app(PodDirectory.App app, List<String> podEtcFiles, boolean legacyLimits, int oomScoreAdj) {
        StringBuilder sb = new StringBuilder();
        sb.append("[Unit]\n");
        sb.append("Description=bosun app ").append(app.name()).append('\n');
        // Nothing of a booted system is wanted; only the shutdown that ends the pod stops the app.
        sb.append("DefaultDependencies=no\n");
        sb.append("Conflicts=shutdown.target\n");
        sb.append("Before=shutdown.target\n");
        sb.append('\n');
        sb.append("[Service]\n");
        sb.append("Type=exec\n");
        sb.append("RootDirectory=").append(APPS_IN_POD).append('/').append(app.name()).append("/rootfs\n");
        sb.append("MountAPIVFS=yes\n");
        sb.append(PodNetworkFiles.unitLines(podEtcFiles));
        sb.append(AppUnitSettings.lines(app, legacyLimits, oomScoreAdj));
        sb.append(AppSecurity.unitLines(app));
        sb.append("User=").append(Integer.toUnsignedString(app.uid())).append('\n');
        sb.append("Group=").append(Integer.toUnsignedString(app.gid())).append('\n');
        sb.append("WorkingDirectory=").append(UnitSyntax.path(app.workingDirectory())).append('\n');
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            sb.append("Environment=").append(UnitSyntax.assignment(e.getKey(), e.getValue())).append('\n');
        }
        List<String> unset = new ArrayList<>();
        for (String name : SYSTEMD_ADDS) {
            if (!app.environment().containsKey(name)) {
                unset.add(name);
            }
        }
        if (!unset.isEmpty()) {
            sb.append("UnsetEnvironment=").append(String.join(" ", unset)).append('\n');
        }
        sb.append("ExecStart=").append(AppStart.execStart(app, legacyLimits && AppUnitSettings.hasLegacyLimits(app)))
                .append('\n');
        sb.append("StandardInput=null\n");
        sb.append("StandardOutput=append:").append(AppLogs.stdout(app.name())).append('\n');
        sb.append("StandardError=append:").append(AppLogs.stderr(app.name())).append('\n');
        return sb.toString();
    }

    static String reaper(String app) {
        return "[Unit]\n"
                + "Description=bosun: records the exit status of app " + app + "\n"
                + "DefaultDependencies=no\n"
                // Stopped as soon as the app stops, and only after it (stop order is the reverse of Before=).
                + "BindsTo=" + appUnit(app) + "\n"
                + "Before=" + appUnit(app) + "\n"
                // The status goes to the pod's apps/ directory: keep it mounted until this has run.
                + "RequiresMountsFor=" + APPS_IN_POD + "\n"
                + "Conflicts=shutdown.target\n"
                + "Before=shutdown.target\n"
                + "\n"
                + "[Service]\n"
                + "Type=oneshot\n"
                + "RemainAfterExit=yes\n"
                + "ExecStart=/usr/bin/true\n"
                + "ExecStop=/usr/bin/sh " + Stage1Tree.REAP + " " + app + "\n"
                + "StandardOutput=append:" + STDERR + "\n"
                + "StandardError=append:" + STDERR + "\n";
    }
}
