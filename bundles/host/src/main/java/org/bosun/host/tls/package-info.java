/**
 * TLS clients: which servers bosun believes (the JVM's authorities plus {@code certs.d}) and the
 * one way {@code --insecure-options=tls} turns verification off, for every bundle that fetches.
 */
@Version("1.0.0")
@Export
package org.bosun.host.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
