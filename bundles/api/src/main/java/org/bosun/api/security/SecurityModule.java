package org.bosun.api.security;

import java.util.Set;

import org.bosun.api.InsecureOption;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Contributes to a pod's security policy. A module that cannot work on this host (no SELinux, no
 * TPM) says so in {@link #inactiveReason()} instead of pretending.
 */
@ConsumerType
public interface SecurityModule {

    /**
     * Returns {@code policy} with this module's part added, for the app {@code appName} of pod
     * {@code podUuid}, unless {@code insecure} switched it off.
     */
    SecurityPolicy contribute(String podUuid, String appName, Set<InsecureOption> insecure, SecurityPolicy policy);

    /** Null when the module is active; otherwise one line saying why not. */
    String inactiveReason();
}
