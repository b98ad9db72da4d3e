package org.bosun.api.security;

import org.bosun.api.InsecureOption;

/**
 * A protection a user can switch off with {@code --insecure-options}, and which a pod's
 * {@link SecurityPolicy#protectionsOff()} records as missing (switched off, not provided by an
 * active module, or not enforced by the engine).
 */
public enum Protection {
    /** The capability bounding set. */
    CAPABILITIES(InsecureOption.CAPABILITIES),
    /** The masked and read-only kernel paths. */
    PATHS(InsecureOption.PATHS),
    /** The seccomp filter. */
    SECCOMP(InsecureOption.SECCOMP);

    private final InsecureOption insecureOption;

    Protection(InsecureOption insecureOption) {
        this.insecureOption = insecureOption;
    }

    /**
     * The protection's name as pods record it on disk and commands print it ({@code capabilities},
     * {@code paths}, {@code seccomp}): the name of the {@code --insecure-options} value that switches
     * it off, and of the security module ({@link SecurityModuleService#name()}) that provides it.
     */
    public String id() {
        return insecureOption.flagName();
    }

    /** The {@code --insecure-options} value that switches this protection off. */
    public InsecureOption insecureOption() {
        return insecureOption;
    }

    /** The protection {@code option} switches off, or null when it switches off none (a fetch option). */
    public static Protection of(InsecureOption option) {
        for (Protection protection : values()) {
            if (protection.insecureOption == option) {
                return protection;
            }
        }
        return null;
    }

    /** The protection whose {@link #id()} is {@code id}, or null when there is none. */
    public static Protection byId(String id) {
        for (Protection protection : values()) {
            if (protection.id().equals(id)) {
                return protection;
            }
        }
        return null;
    }
}
