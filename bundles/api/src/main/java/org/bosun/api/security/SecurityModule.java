package org.bosun.api.security;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodOptions;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Contributes to a pod's security policy. A module that cannot work on this host (no SELinux, no
 * TPM) says so in {@link #inactiveReason(RuntimePaths)} instead of pretending.
 */
@ConsumerType
public interface SecurityModule {

    /**
     * Returns {@code policy} with this module's part added, knowing the app's flags, its image's
     * isolators and the pod's options. Called once per app at prepare time, in service ranking order;
     * the result is recorded in the pod, so a later update of the module never changes a prepared or
     * running pod. Bad input (an unknown capability or system call) is a
     * {@link org.bosun.api.BosunException#invalid invalid} error naming the app and the flag.
     */
    SecurityPolicy contribute(SecurityContext context, SecurityPolicy policy);

    /**
     * Releases what the module holds for pod {@code podUuid} outside the pod's directory (an allocated
     * uid range, an SELinux label); called by gc before the pod is deleted, and when preparing it failed.
     * Must be idempotent. The default holds nothing.
     */
    default void release(RuntimePaths paths, String podUuid) {
    }

    /**
     * The user namespace of pod {@code podUuid}, chosen before it has any app ({@code bosun app
     * sandbox --private-users}): the same mapping {@link #contribute} then gives every app added to
     * the pod, which the core records with the pod. Null when this module gives the pod none (the
     * default: a module that makes no user namespaces). Called once per pod, at prepare time.
     *
     * @since 1.1
     */
    default IdMapping podUserNamespace(RuntimePaths paths, String podUuid, PodOptions pod) {
        return null;
    }

    /**
     * Null when the module is active for a command that reads its configuration from {@code paths}
     * (a module may be configured per {@code --local-config}, such as the TPM's {@code tpm.d/});
     * otherwise one line saying why not.
     */
    String inactiveReason(RuntimePaths paths);

    /**
     * Measures a pod that is about to start: called by the core for every installed module, active
     * or not, once the engine has said how it will run the pod and before the caller execs that
     * command, while the pod is still in its prepared directory. A module that records what runs
     * (a TPM) does it here; throwing a {@link org.bosun.api.BosunException} refuses the launch.
     * The default measures nothing.
     */
    default void measure(PodMeasurement measurement) {
    }
}
