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
}
