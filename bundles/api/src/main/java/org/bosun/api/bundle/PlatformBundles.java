package org.bosun.api.bundle;

import java.nio.file.Path;
import java.util.List;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The bundles of the platform this service runs in (the agent's, or the one booted for one command)
 * and the extension bundles of a data directory's {@code bundles/}, which the launcher loads in every
 * platform it boots. A bundle is code that runs as root: {@link #install} and {@link #update} verify
 * the jar's detached OpenPGP signature with the keys trusted for {@code bundle/VENDOR} (VENDOR: the
 * first two segments of the Bundle-SymbolicName) and refuse an unsigned jar unless told it is accepted.
 * Besides extension bundles, bosun's own engines, image formats, network and security bundles can be
 * updated and rolled back; the rest of bosun's bundles are refused. Every refusal is a
 * {@link org.bosun.api.BosunException} whose message names the bundle and what to do.
 */
@ProviderType
public interface PlatformBundles {
    /** The platform's bundles, then the indexed extension bundles this platform has not loaded. */
    List<BundleRecord> list(RuntimePaths paths);

    /**
     * Installs and starts an extension bundle and keeps it in the data directory.
     *
     * @param jar the bundle jar
     * @param signature its detached signature; null for {@code JAR.asc} beside it
     * @param acceptUnsigned whether to skip the signature check ({@code --insecure-options=bundle})
     */
    BundleChange install(RuntimePaths paths, Path jar, Path signature, boolean acceptUnsigned);

    /**
     * Replaces an installed extension bundle, or one of bosun's swappable bundles, by {@code jar} (same
     * symbolic name, another version), live; the replaced version is kept for {@link #rollback}.
     */
    BundleChange update(RuntimePaths paths, Path jar, Path signature, boolean acceptUnsigned);

    /** Returns the bundle to the version its last update replaced. */
    BundleChange rollback(RuntimePaths paths, String symbolicName);

    /**
     * Uninstalls an extension bundle and removes it from the data directory; for an update of a built-in
     * bundle, the built-in version comes back.
     */
    BundleChange uninstall(RuntimePaths paths, String symbolicName);
}
