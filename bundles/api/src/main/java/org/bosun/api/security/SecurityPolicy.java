package org.bosun.api.security;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The security policy of one app, as data. While the security modules build it, empty collections
 * mean "nothing contributed", unless the active module that provides that protection left them
 * empty (an app may have no capability at all). The policy an engine gets is resolved by the core:
 * its defaults applied to what no module provided, and a protection that is off taken out (every
 * capability, no masked or read-only paths, no seccomp profile); the engine enforces it as it is,
 * an empty capability set as none.
 *
 * @param capabilities the bounding, effective and permitted capability set ({@code CAP_...})
 * @param noNewPrivileges whether setuid binaries and file capabilities are disabled
 * @param seccompProfile a seccomp profile in OCI runtime-spec JSON, or null for none
 * @param maskedPaths paths that read as empty or are refused
 * @param readonlyPaths paths mounted read-only
 * @param uidMappings the user namespace's id ranges (gids alike), or empty for none
 * @param selinuxLabels the SELinux labels, {@link SelinuxLabels#NONE} for none
 * @param protectionsOff protections the app runs without, recorded in the pod
 * @param hostDevices whether the app may open every device of the host and sees them (a privileged CRI
 *        container: with every protection off too); false for every other app, and in a policy recorded
 *        before the component existed
 */
public record SecurityPolicy(Set<String> capabilities, boolean noNewPrivileges, String seccompProfile,
        List<String> maskedPaths, List<String> readonlyPaths, List<IdMapping> uidMappings,
        SelinuxLabels selinuxLabels, Set<Protection> protectionsOff, boolean hostDevices) {
    /** Nothing contributed: what a pod gets with no security module installed. */
    public static final SecurityPolicy UNCONFINED = new SecurityPolicy(Set.of(), false, null, List.of(), List.of(),
            List.of(), SelinuxLabels.NONE, Set.of(), false);

    public SecurityPolicy {
        // null as empty: what a policy recorded before the component existed reads as
        capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
        maskedPaths = maskedPaths == null ? List.of() : List.copyOf(maskedPaths);
        readonlyPaths = readonlyPaths == null ? List.of() : List.copyOf(readonlyPaths);
        uidMappings = uidMappings == null ? List.of() : List.copyOf(uidMappings);
        selinuxLabels = selinuxLabels == null ? SelinuxLabels.NONE : selinuxLabels;
        Set<Protection> off = EnumSet.noneOf(Protection.class);
        if (protectionsOff != null) {
            off.addAll(protectionsOff);
        }
        protectionsOff = Collections.unmodifiableSet(off); // in a fixed order, as pods record it
    }

    /** A policy without the host's devices, as every policy was before {@code hostDevices} existed. */
    public SecurityPolicy(Set<String> capabilities, boolean noNewPrivileges, String seccompProfile,
            List<String> maskedPaths, List<String> readonlyPaths, List<IdMapping> uidMappings,
            SelinuxLabels selinuxLabels, Set<Protection> protectionsOff) {
        this(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths, uidMappings, selinuxLabels,
                protectionsOff, false);
    }

    /** This policy with the bounding set {@code capabilities}. */
    public SecurityPolicy withCapabilities(Set<String> capabilities) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff, hostDevices);
    }

    /** This policy with no_new_privs set or not. */
    public SecurityPolicy withNoNewPrivileges(boolean noNewPrivileges) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff, hostDevices);
    }

    /** This policy with the seccomp profile {@code seccompProfile} (OCI JSON), or none for null. */
    public SecurityPolicy withSeccompProfile(String seccompProfile) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff, hostDevices);
    }

    /** This policy with these masked and read-only paths. */
    public SecurityPolicy withPaths(List<String> maskedPaths, List<String> readonlyPaths) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff, hostDevices);
    }

    /** This policy with the user namespace's id ranges {@code uidMappings}. */
    public SecurityPolicy withUidMappings(List<IdMapping> uidMappings) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff, hostDevices);
    }

    /** This policy with the SELinux labels {@code selinuxLabels}. */
    public SecurityPolicy withSelinuxLabels(SelinuxLabels selinuxLabels) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff, hostDevices);
    }

    /** This policy with {@code protection} added to the protections it runs without. */
    public SecurityPolicy withProtectionOff(Protection protection) {
        Set<Protection> off = EnumSet.of(protection);
        off.addAll(protectionsOff);
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, off, hostDevices);
    }

    /** This policy with the host's devices given to the app or not. */
    public SecurityPolicy withHostDevices(boolean hostDevices) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff, hostDevices);
    }
}
