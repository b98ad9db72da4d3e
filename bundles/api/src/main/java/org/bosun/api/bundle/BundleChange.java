package org.bosun.api.bundle;

import java.nio.file.Path;

/**
 * What an install, update, rollback or uninstall did.
 *
 * @param symbolicName the bundle's symbolic name
 * @param from the version before the change: null for an install; for an uninstall, the version removed
 * @param to the version after it: for an uninstall, the built-in version that is back, or null
 * @param bundleId the bundle's id in this platform after the change, or -1 when none is installed
 * @param state its state after the change, as {@link BundleRecord#state()} says it, or null
 * @param platform the platform changed: {@code the agent} or {@code this platform}
 * @param folder the data directory's {@code bundles/} folder that keeps the change
 * @param updatesBuiltIn whether the bundle is an update of one of bosun's own bundles (or was, for an
 *        uninstall)
 * @param signer who signed the jar (fingerprint, user id and the scope its key is trusted for), or null
 *        when no signature was checked
 */
public record BundleChange(String symbolicName, String from, String to, long bundleId, String state,
        String platform, Path folder, boolean updatesBuiltIn, String signer) {

    /**
     * What an install did, in the words {@code bosun bundle install} prints:
     * {@code Installed NAME TO (bundle ID, STATE in PLATFORM)}.
     *
     * @since 1.1
     */
    public String installed() {
        return "Installed " + symbolicName + " " + to + where();
    }

    /**
     * What an update did, as {@code bosun bundle update} and the web console say it:
     * {@code Updated NAME from FROM to TO (bundle ID, STATE in PLATFORM)}.
     *
     * @since 1.1
     */
    public String updated() {
        return "Updated " + symbolicName + " from " + from + " to " + to + where();
    }

    /**
     * What a rollback did, as {@code bosun bundle rollback} and the web console say it:
     * {@code Rolled NAME back from FROM to TO (bundle ID, STATE in PLATFORM)}.
     *
     * @since 1.1
     */
    public String rolledBack() {
        return "Rolled " + symbolicName + " back from " + from + " to " + to + where();
    }

    /**
     * What an uninstall did, in the words {@code bosun bundle uninstall} prints: for an update of a
     * built-in bundle, which version is back.
     *
     * @since 1.1
     */
    public String uninstalled() {
        if (updatesBuiltIn) {
            return "Uninstalled the update " + symbolicName + " " + from + (to == null ? "" : "; the built-in " + to
                    + " is back") + " (in " + platform + " and " + folder + ")";
        }
        return "Uninstalled " + symbolicName + " " + from + " (from " + platform + " and " + folder + ")";
    }

    private String where() {
        return " (bundle " + bundleId + ", " + state + " in " + platform + ")";
    }
}
