/**
 * The bundles of a running platform and the extension bundles of a data directory, as one service:
 * {@link org.bosun.api.bundle.PlatformBundles} lists them, and installs, updates, rolls back and
 * uninstalls them with the jar's detached OpenPGP signature verified against the trust store
 * ({@code bundle/VENDOR}). {@code bosun bundle} and the web console's pages make the same calls.
 */
@Version("1.1.0")
@Export
package org.bosun.api.bundle;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
