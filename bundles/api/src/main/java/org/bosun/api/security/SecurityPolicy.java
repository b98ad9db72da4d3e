package org.bosun.api.security;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The security policy of one app, as data. Empty collections mean "nothing contributed".
 *
 * @param capabilities the bounding, effective and permitted capability set ({@code CAP_...})
 * @param noNewPrivileges whether setuid binaries and file capabilities are disabled
 * @param seccompProfile a seccomp profile in OCI runtime-spec JSON, or null for none
 * @param maskedPaths paths that read as empty or are refused
 * @param readonlyPaths paths mounted read-only
 * @param uidMappings host ranges for the pod's user namespace ({@code container, host, size}), or empty
 * @param selinuxLabels {@code process} and {@code mount} labels, or empty
 * @param protectionsOff protections the user switched off, recorded in the pod
 */
public record SecurityPolicy(Set<String> capabilities, boolean noNewPrivileges, String seccompProfile,
        List<String> maskedPaths, List<String> readonlyPaths, List<long[]> uidMappings,
        Map<String, String> selinuxLabels, Set<String> protectionsOff) {
    /** Nothing contributed: what a pod gets with no security module installed. */
    public static final SecurityPolicy UNCONFINED = new SecurityPolicy(Set.of(), false, null, List.of(), List.of(),
            List.of(), Map.of(), Set.of());

    public SecurityPolicy {
        capabilities = Set.copyOf(capabilities);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        uidMappings = List.copyOf(uidMappings);
        selinuxLabels = Map.copyOf(selinuxLabels);
        protectionsOff = Set.copyOf(protectionsOff);
    }

    /** This policy with the bounding set {@code capabilities}. */
    public SecurityPolicy withCapabilities(Set<String> capabilities) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff);
    }

    /** This policy with no_new_privs set or not. */
    public SecurityPolicy withNoNewPrivileges(boolean noNewPrivileges) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff);
    }

    /** This policy with the seccomp profile {@code seccompProfile} (OCI JSON), or none for null. */
    public SecurityPolicy withSeccompProfile(String seccompProfile) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff);
    }

    /** This policy with these masked and read-only paths. */
    public SecurityPolicy withPaths(List<String> maskedPaths, List<String> readonlyPaths) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff);
    }

    /** This policy with the user namespace mappings {@code {container, host, size}}. */
    public SecurityPolicy withUidMappings(List<long[]> uidMappings) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff);
    }

    /** This policy with the SELinux labels {@code process} and {@code mount}. */
    public SecurityPolicy withSelinuxLabels(Map<String, String> selinuxLabels) {
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, protectionsOff);
    }

    /** This policy with {@code protection} added to the protections it runs without. */
    public SecurityPolicy withProtectionOff(String protection) {
        Set<String> off = new java.util.TreeSet<>(protectionsOff);
        off.add(protection);
        return new SecurityPolicy(capabilities, noNewPrivileges, seccompProfile, maskedPaths, readonlyPaths,
                uidMappings, selinuxLabels, off);
    }
}
