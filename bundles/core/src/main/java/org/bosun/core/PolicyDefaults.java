package org.bosun.core;

import java.util.List;
import java.util.Set;

import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.host.HostCapabilities;

/**
 * What the core decides for every app's security policy once the modules have contributed and the
 * protections it runs without are known, so that every engine gives the app the same: engines
 * enforce the resolved policy as it is and choose nothing themselves.
 * <ul>
 * <li>A protection that is off (switched off by the user, provided by no active module, or not
 *     enforced by the engine) leaves nothing of itself: every capability (an engine gives what the
 *     host has of them), no masked or read-only paths, no seccomp profile. This is what the
 *     modules give with {@code --insecure-options}, and now also without the module: the oci
 *     engine gave no capability at all to a pod prepared without the capabilities module, the
 *     nspawn engine every capability of the host.
 * <li>A protection that is on but that no module provided gets runc's defaults, which the oci
 *     engine applied itself (the nspawn engine applied none): a pod prepared before policies were
 *     recorded. What an active module provided stays as it is, even empty: an app may have no
 *     capability at all.
 * </ul>
 */
final class PolicyDefaults {
    /** runc spec's default capabilities. */
    static final Set<String> CAPABILITIES = Set.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
    /** runc spec's default masked paths. */
    static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
            "/proc/scsi");
    /** runc spec's default read-only paths. */
    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private PolicyDefaults() {
    }

    /** {@code policy}, which no module provided, with the defaults applied and what is off taken out. */
    static SecurityPolicy resolve(SecurityPolicy policy) {
        return resolve(policy, Set.of());
    }

    /**
     * {@code policy} with the defaults applied to what no module provided and what is off taken out;
     * {@code provided}: the protections whose active module built their part of it.
     */
    static SecurityPolicy resolve(SecurityPolicy policy, Set<Protection> provided) {
        SecurityPolicy result = policy;
        Set<Protection> off = policy.protectionsOff();
        if (off.contains(Protection.CAPABILITIES)) {
            result = result.withCapabilities(Set.copyOf(HostCapabilities.BY_NUMBER));
        } else if (policy.capabilities().isEmpty() && !provided.contains(Protection.CAPABILITIES)) {
            result = result.withCapabilities(CAPABILITIES);
        }
        if (off.contains(Protection.PATHS)) {
            result = result.withPaths(List.of(), List.of());
        } else {
            result = result.withPaths(policy.maskedPaths().isEmpty() ? MASKED_PATHS : policy.maskedPaths(),
                    policy.readonlyPaths().isEmpty() ? READONLY_PATHS : policy.readonlyPaths());
        }
        if (off.contains(Protection.SECCOMP)) {
            result = result.withSeccompProfile(null);
        }
        return result;
    }
}
