/**
 * bosun's configuration folders ({@code net.d}, {@code auth.d}, {@code tpm.d}, ...) in the system
 * configuration directory and the local one, read the same way by every bundle.
 */
@Version("1.0.0")
@Export
package org.bosun.host.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
