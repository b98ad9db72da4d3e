package org.bosun.api.pod;

import java.util.List;

/**
 * Per-app settings beyond what {@link AppRequest} names, from rkt's per-app flags.
 *
 * @param supplementaryGids {@code --supplementary-gids}
 * @param mounts {@code --mount volume=NAME,target=PATH} given after this app's image
 * @param readonlyRootfs {@code --readonly-rootfs}
 * @param resources {@code --memory}, {@code --cpu}, {@code --cpu-shares}, {@code --oom-score-adj}
 * @param capsRetain {@code --caps-retain}
 * @param capsRemove {@code --caps-remove}
 * @param seccomp {@code --seccomp mode=...,errno=...,SYSCALL,...}, as given, or null
 * @param userAnnotations {@code --user-annotation} after this app's image: the app's {@code userAnnotations}
 * @param userLabels {@code --user-label} after this app's image: the app's {@code userLabels}
 * @param capsAdd capabilities added to the set {@code capsRetain}, {@code capsRemove} or the default gives
 *        (the CRI's {@code add_capabilities}); empty adds none
 * @param maskedPaths the app's masked kernel paths instead of the paths module's default list; empty: the default
 * @param readonlyPaths the app's read-only kernel paths instead of the paths module's default list; empty: the
 *        default
 * @param privileged a privileged CRI container: every protection off ({@code --insecure-options=capabilities,
 *        paths,seccomp} for this app alone) and the host's devices; only the CRI sets it, for a container
 *        the CRI calls privileged in a sandbox it calls privileged
 * @param noNewPrivileges whether the app runs with no_new_privs (setuid and file capabilities give it
 *        nothing): null leaves it to the image's {@code os/linux/no-new-privileges} isolator (set when the
 *        image has none); the CRI gives its {@code no_new_privs}
 */
public record AppSettings(List<Integer> supplementaryGids, List<MountRequest> mounts, boolean readonlyRootfs,
        Resources resources, List<String> capsRetain, List<String> capsRemove, String seccomp,
        java.util.Map<String, String> userAnnotations, java.util.Map<String, String> userLabels, List<String> capsAdd,
        List<String> maskedPaths, List<String> readonlyPaths, boolean privileged, Boolean noNewPrivileges) {
    public static final AppSettings NONE = new AppSettings(null, null, false, null, null, null, null, null, null);

    public AppSettings {
        supplementaryGids = supplementaryGids == null ? List.of() : List.copyOf(supplementaryGids);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        resources = resources == null ? Resources.NONE : resources;
        capsRetain = capsRetain == null ? List.of() : List.copyOf(capsRetain);
        capsRemove = capsRemove == null ? List.of() : List.copyOf(capsRemove);
        userAnnotations = userAnnotations == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(userAnnotations));
        userLabels = userLabels == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(userLabels));
        capsAdd = capsAdd == null ? List.of() : List.copyOf(capsAdd);
        maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
        readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
    }

    /** These settings with no_new_privs left to the image. */
    public AppSettings(List<Integer> supplementaryGids, List<MountRequest> mounts, boolean readonlyRootfs,
            Resources resources, List<String> capsRetain, List<String> capsRemove, String seccomp,
            java.util.Map<String, String> userAnnotations, java.util.Map<String, String> userLabels, List<String> capsAdd,
            List<String> maskedPaths, List<String> readonlyPaths, boolean privileged) {
        this(supplementaryGids, mounts, readonlyRootfs, resources, capsRetain, capsRemove, seccomp, userAnnotations,
                userLabels, capsAdd, maskedPaths, readonlyPaths, privileged, null);
    }

    /** The settings rkt's per-app flags give: nothing added to the capabilities, the default kernel paths. */
    public AppSettings(List<Integer> supplementaryGids, List<MountRequest> mounts, boolean readonlyRootfs,
            Resources resources, List<String> capsRetain, List<String> capsRemove, String seccomp,
            java.util.Map<String, String> userAnnotations, java.util.Map<String, String> userLabels) {
        this(supplementaryGids, mounts, readonlyRootfs, resources, capsRetain, capsRemove, seccomp, userAnnotations,
                userLabels, null, null, null, false, null);
    }

    /**
     * {@code --mount volume=NAME,target=PATH}.
     *
     * @param volume a volume of the pod
     * @param target the path inside the app
     */
    public record MountRequest(String volume, String target) {
    }
}
