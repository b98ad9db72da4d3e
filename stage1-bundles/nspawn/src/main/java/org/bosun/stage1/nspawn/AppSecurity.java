package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.bosun.api.BosunException;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.HostCapabilities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How the nspawn engine enforces each app's {@link SecurityPolicy}, in two layers as rkt's coreos
 * stage1 did:
 * <ul>
 * <li>the pod: systemd-nspawn gives the pod's systemd its own default capabilities plus those any
 *     app needs ({@code --capability=}), and its own seccomp filter, which only
 *     {@code SYSTEMD_SECCOMP=0} switches off, when no app of the pod has a seccomp policy;
 * <li>each app's unit: {@code CapabilityBoundingSet=}, {@code NoNewPrivileges=},
 *     {@code SystemCallFilter=} (the policy's OCI profile in systemd's syntax),
 *     {@code InaccessiblePaths=} and {@code ReadOnlyPaths=} for the masked and read-only paths.
 * </ul>
 * A policy's {@code noNewPrivileges=false} holds only where nothing installs a seccomp filter in a
 * non-root app: the kernel requires no_new_privs for a filter installed without CAP_SYS_ADMIN, so
 * systemd sets it for a non-root unit with the app's own seccomp profile or
 * {@code ProtectKernelTunables=} (which adds systemd's {@code _sysctl} filter, see {@link #unitLines});
 * {@link #check} refuses that case rather than let systemd set it silently.
 * Non-root apps get no ambient capabilities: only root in an app holds its bounding set, as with
 * runc and Docker (rkt handed non-root apps its set as ambient capabilities).
 */
final class AppSecurity {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AppSecurity() {
    }

    /** Refuses, at prepare time, a policy this engine cannot enforce. */
    static void check(PodDirectory pod, PodDirectory.App app) {
        if (app.security().hostDevices()) {
            throw BosunException.notImplemented("app " + app.name() + " of pod " + pod.uuid() + " is privileged (the"
                    + " host's devices): the nspawn engine holds one device program for the whole pod and cannot give"
                    + " one app the host's devices; use the oci engine (CRI handler runc or crun)");
        }
        String profile = app.security().seccompProfile();
        if (profile != null) {
            seccompLines(profile, "app " + app.name() + " of pod " + pod.uuid());
        }
        if (!app.security().noNewPrivileges() && app.uid() != 0 && installsFilter(app.security())) {
            throw BosunException.notImplemented("app " + app.name() + " of pod " + pod.uuid() + " asks for no_new_privs"
                    + " off, which the nspawn engine cannot give an app running as uid " + app.uid() + " with a seccomp"
                    + " filter or kernel paths (systemd sets no_new_privs itself on such a unit); use the oci engine"
                    + " (CRI handler runc or crun), or leave no_new_privs on");
        }
    }

    /**
     * Whether the app's unit makes systemd install a seccomp filter: its profile's
     * {@code SystemCallFilter=}, or {@code ProtectKernelTunables=} (systemd's {@code _sysctl} filter),
     * which kernel paths bring. For a unit with a non-root {@code User=}, systemd 252 then sets
     * no_new_privs whatever {@code NoNewPrivileges=} says (checked in an nspawn pod: NoNewPrivs 1 with
     * either, 0 with neither or as root).
     */
    static boolean installsFilter(SecurityPolicy policy) {
        return policy.seccompProfile() != null || !policy.maskedPaths().isEmpty() || !policy.readonlyPaths().isEmpty();
    }

    /** The lines of the app's {@code [Service]} section. */
    static String unitLines(PodDirectory.App app) {
        SecurityPolicy policy = app.security();
        StringBuilder sb = new StringBuilder();
        // With its protection off the policy holds every capability: the unit keeps systemd's, the pod's set.
        // An empty set is an app with none ("CapabilityBoundingSet=" empties the set).
        if (!policy.protectionsOff().contains(Protection.CAPABILITIES)) {
            sb.append("CapabilityBoundingSet=").append(String.join(" ", new TreeSet<>(policy.capabilities()))).append('\n');
        }
        if (policy.noNewPrivileges()) {
            sb.append("NoNewPrivileges=yes\n");
        }
        if (policy.seccompProfile() != null) {
            sb.append(seccompLines(policy.seccompProfile(), "app " + app.name()));
        }
        if (!policy.maskedPaths().isEmpty() || !policy.readonlyPaths().isEmpty()) {
            // Also what makes systemd mount the app's own /proc before the paths below: without it the
            // fresh /proc ends up on top of them, and they have no effect.
            sb.append("ProtectKernelTunables=yes\n");
        }
        // '-': a path this kernel does not have is no error.
        for (String path : policy.maskedPaths()) {
            sb.append("InaccessiblePaths=-").append(UnitSyntax.path(path)).append('\n');
        }
        for (String path : policy.readonlyPaths()) {
            sb.append("ReadOnlyPaths=-").append(UnitSyntax.path(path)).append('\n');
        }
        return sb.toString();
    }

    /** systemd-nspawn's flags for the pod's capabilities. */
    static List<String> nspawnFlags(PodDirectory pod) {
        Set<String> caps = new TreeSet<>();
        for (PodDirectory.App app : pod.apps()) {
            // every capability when the app's capabilities protection is off, as the core resolved it
            caps.addAll(app.security().capabilities());
        }
        Set<String> host = HostCapabilities.boundingSet();
        // A capability this host's bounding set lacks cannot be given; systemd-nspawn would warn on the pod's stderr.
        caps.retainAll(host);
        return caps.isEmpty() ? List.of() : List.of("--capability=" + String.join(",", caps));
    }

    /** systemd-nspawn's environment: its own seccomp filter off when no app of the pod has one. */
    static List<String> nspawnEnvironment(PodDirectory pod) {
        for (PodDirectory.App app : pod.apps()) {
            if (!app.security().protectionsOff().contains(Protection.SECCOMP)) {
                return List.of();
            }
        }
        return List.of("SYSTEMD_SECCOMP=0");
    }

    /**
     * An OCI {@code linux.seccomp} profile as {@code SystemCallFilter=} lines: an allow list (the
     * default refuses) or a deny list (the default allows), one call per line as rkt wrote them.
     * systemd can say one refusal for all calls (an errno, or SIGSYS) and no argument conditions.
     */
    static String seccompLines(String profileJson, String where) {
        JsonNode profile;
        try {
            profile = JSON.readTree(profileJson);
        } catch (IOException e) {
            throw BosunException.internal(where + ": its recorded seccomp profile is not JSON", e);
        }
        String cannot = where + ": the nspawn engine cannot enforce its seccomp profile: ";
        String defaultAction = profile.path("defaultAction").asText();
        boolean allowList = !defaultAction.equals("SCMP_ACT_ALLOW");
        String refusal = allowList ? refusal(defaultAction, profile.path("defaultErrnoRet"), cannot) : null;
        List<String> names = new ArrayList<>();
        for (JsonNode rule : profile.path("syscalls")) {
            String action = rule.path("action").asText();
            if (rule.has("args") && rule.get("args").size() > 0) {
                throw BosunException.invalid(cannot + "it has conditions on arguments; use --stage1-name=oci");
            }
            if (allowList) {
                if (!action.equals("SCMP_ACT_ALLOW")) {
                    throw BosunException.invalid(cannot + "it refuses calls in more than one way (" + action + " and "
                            + defaultAction + "); use --stage1-name=oci");
                }
            } else {
                String r = refusal(action, rule.path("errnoRet"), cannot);
                if (refusal != null && !refusal.equals(r)) {
                    throw BosunException.invalid(cannot + "it refuses calls in more than one way; use --stage1-name=oci");
                }
                refusal = r;
            }
            rule.path("names").forEach(n -> names.add(n.asText()));
        }
        StringBuilder sb = new StringBuilder();
        if (allowList && names.isEmpty()) {
            throw BosunException.invalid(cannot + "it allows no system call at all");
        }
        for (String name : new TreeSet<>(names)) {
            sb.append("SystemCallFilter=").append(allowList ? "" : "~").append(name).append('\n');
        }
        if (refusal != null && !refusal.isEmpty()) {
            sb.append("SystemCallErrorNumber=").append(refusal).append('\n');
        }
        return sb.toString();
    }

    /** An errno number for {@code SystemCallErrorNumber=}, or "" for SIGSYS (systemd's default). */
    private static String refusal(String action, JsonNode errnoRet, String cannot) {
        return switch (action) {
            case "SCMP_ACT_ERRNO" -> Integer.toString(errnoRet.isInt() ? errnoRet.asInt() : 1);
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS" -> "";
            default -> throw BosunException.invalid(cannot + "systemd has no equivalent of " + action
                    + "; use --stage1-name=oci");
        };
    }
}
