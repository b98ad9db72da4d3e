package org.bosun.stage1.oci;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.stage1.rules.AppNames;

/**
 * What the engine's scripts ({@link SupervisorScript}) need to know about one pod, fixed at prepare
 * and written to {@code engine/plan}: one setting per line, {@code KEY VALUE}, the value being the
 * rest of the line; the apps in manifest order, each followed by its overlay. The scripts read it
 * with shell builtins and take every value as data, never as code; a value that a line cannot hold
 * (a newline) is refused here, and an app name that is not an ACName twice: here and by the script.
 *
 * @param cgroup the name of the pod's cgroup below the caller's in every hierarchy
 * @param runtime the runtime, which decides how the supervisor mounts the cgroup hierarchies
 * @param runtimeBinary the runtime's binary
 * @param apps the apps, in manifest order
 * @param interactive whether the one app gets the terminal (no output pipes)
 * @param stopTimeoutSeconds how long stopped apps get before they are killed
 * @param warnings lines the supervisor prints on bosun's stderr when the pod starts
 * @param mawk whether /usr/bin/awk is mawk, which must be told to read line by line
 * @param infra whether the pod has an infra container holding its namespaces (else the supervisor
 *        holds them)
 * @param hostname the pod's hostname, or null for the host's
 * @param infraConfigs the templates ({@code config.json.in}, relative to the pod) of the containers
 *        that join the infra container's namespaces, naming its pid as {@link ContainerSpecs#INFRA_PID}
 * @param logMaxBytes the size at which an app's log is rotated
 * @param logKeep how many rotated logs are kept
 * @param sandbox whether the pod is a sandbox (exit policy {@code never}): the supervisor keeps it
 *        running when its apps exit and takes app requests on {@value #CONTROL} until it is stopped
 * @param hostIpc whether the pod shares the host's IPC namespace ({@code --ipc=parent}): the
 *        supervisor (or the infra container) makes none
 * @param pidHolder the init that holds the PID namespace the pod's apps share
 *        ({@code --stage1-option=pid=pod}), started by the supervisor as its PID 1, or null when each app
 *        has a PID namespace of its own
 * @param netns the pod's network namespace, where the supervisor sets the network sysctls, or null
 * @param sysctls the pod's sysctls ({@code --sysctl}, checked by the core), in order: the supervisor
 *        sets them before any app starts, a network one in {@code netns}, an IPC one in its own IPC
 *        namespace, the apps'
 */
record PodPlan(String cgroup, OciRuntime runtime, Path runtimeBinary, List<App> apps, boolean interactive,
        int stopTimeoutSeconds, List<String> warnings, boolean mawk, boolean infra, String hostname,
        List<String> infraConfigs, long logMaxBytes, int logKeep, boolean sandbox, boolean hostIpc,
        Path pidHolder, Path netns, Map<String, String> sysctls) {
    static final String FILE = "plan";
    /** The FIFO a sandbox's supervisor reads app requests from, in the engine directory. */
    static final String CONTROL = "control";
    /** Where an added app's plan lines ({@link #appText}) are, in the engine directory: {@code added/NAME}. */
    static final String ADDED = "added";
    static final long LOG_MAX_BYTES = 1 << 20;
    static final int LOG_KEEP = 5;

    /** The plan of a pod that ends when its apps are done. */
    PodPlan(String cgroup, OciRuntime runtime, Path runtimeBinary, List<App> apps, boolean interactive,
            int stopTimeoutSeconds, List<String> warnings, boolean mawk, boolean infra, String hostname,
            List<String> infraConfigs, long logMaxBytes, int logKeep) {
        this(cgroup, runtime, runtimeBinary, apps, interactive, stopTimeoutSeconds, warnings, mawk, infra, hostname,
                infraConfigs, logMaxBytes, logKeep, false, false, null, null, Map.of());
    }

    /** The plan of a pod with an IPC namespace of its own. */
    PodPlan(String cgroup, OciRuntime runtime, Path runtimeBinary, List<App> apps, boolean interactive,
            int stopTimeoutSeconds, List<String> warnings, boolean mawk, boolean infra, String hostname,
            List<String> infraConfigs, long logMaxBytes, int logKeep, boolean sandbox) {
        this(cgroup, runtime, runtimeBinary, apps, interactive, stopTimeoutSeconds, warnings, mawk, infra, hostname,
                infraConfigs, logMaxBytes, logKeep, sandbox, false, null, null, Map.of());
    }

    /** The plan of a pod without sysctls. */
    PodPlan(String cgroup, OciRuntime runtime, Path runtimeBinary, List<App> apps, boolean interactive,
            int stopTimeoutSeconds, List<String> warnings, boolean mawk, boolean infra, String hostname,
            List<String> infraConfigs, long logMaxBytes, int logKeep, boolean sandbox, boolean hostIpc, Path pidHolder) {
        this(cgroup, runtime, runtimeBinary, apps, interactive, stopTimeoutSeconds, warnings, mawk, infra, hostname,
                infraConfigs, logMaxBytes, logKeep, sandbox, hostIpc, pidHolder, null, Map.of());
    }

    PodPlan {
        sysctls = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sysctls));
        apps = List.copyOf(apps);
        warnings = List.copyOf(warnings);
        infraConfigs = List.copyOf(infraConfigs);
    }

    /**
     * One app.
     *
     * @param name the app's name, an ACName
     * @param overlayOptions the overlay mount options ({@code lowerdir=...,upperdir=...,workdir=...},
     *        paths relative to the pod directory), or null when the rootfs is a plain directory
     * @param overlayTarget where the overlay is mounted, relative to the pod directory, or null
     */
    record App(String name, String overlayOptions, String overlayTarget) {
    }

    /** The plan's text; refuses a value that would not stay on its line. */
    String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("# bosun oci engine: what engine/run and engine/supervise do for this pod (KEY VALUE)\n");
        line(sb, "pod-cgroup", cgroup);
        line(sb, "infra", infra ? "1" : "0");
        line(sb, "ipc", hostIpc ? "parent" : "private");
        if (pidHolder != null) {
            line(sb, "pid-namespace", "pod");
            line(sb, "pid-holder", pidHolder.toString());
        }
        if (netns != null) {
            line(sb, "netns", netns.toString());
        }
        // in the order given: the CRI's map has none, --sysctl's flags do
        sysctls.forEach((key, value) -> line(sb, "sysctl", key + " " + value));
        line(sb, "runtime", runtime.command);
        line(sb, "runtime-binary", runtimeBinary.toString());
        line(sb, "stop-timeout", Integer.toString(stopTimeoutSeconds));
        if (hostname != null) {
            line(sb, "hostname", hostname);
        }
        line(sb, "interactive", interactive ? "1" : "0");
        line(sb, "mawk", mawk ? "1" : "0");
        line(sb, "log-max-bytes", Long.toString(logMaxBytes));
        line(sb, "log-keep", Integer.toString(logKeep));
        if (sandbox) {
            line(sb, "exit-policy", "never");
        }
        for (String warning : warnings) {
            line(sb, "warning", warning);
        }
        for (App app : apps) {
            appLines(sb, app);
        }
        for (String config : infraConfigs) {
            line(sb, "infra-config", config);
        }
        return sb.toString();
    }

    /** The plan lines of one app: for an app added to a sandbox, the whole of {@code added/NAME}. */
    static String appText(App app) {
        StringBuilder sb = new StringBuilder();
        appLines(sb, app);
        return sb.toString();
    }

    private static void appLines(StringBuilder sb, App app) {
        if (!AppNames.isAcName(app.name())) {
            throw BosunException.internal("the plan of an oci pod names an app '" + app.name().replace("\n", "\\n")
                    + "', which is not an ACName; the engine checks the names at prepare", null);
        }
        line(sb, "app", app.name());
        if (app.overlayOptions() != null) {
            line(sb, "overlay-options", app.overlayOptions());
            line(sb, "overlay-target", app.overlayTarget());
        }
    }

    private static void line(StringBuilder sb, String key, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw BosunException.invalid("the oci engine cannot pass '" + value.replace("\n", "\\n").replace("\r", "\\r")
                    + "' (" + key + ") to its supervisor: it contains a line break; choose another");
        }
        sb.append(key).append(' ').append(value).append('\n');
    }
}
