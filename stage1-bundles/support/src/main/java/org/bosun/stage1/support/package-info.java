/**
 * What the isolating stage1 engines (nspawn, oci, and a vendor's) do alike with a prepared pod and
 * the host, so that each engine keeps only what is its own: the mount points of the pod's
 * {@code etc/} files in each app ({@link org.bosun.stage1.support.EtcMountPoints}) and the
 * capabilities the host can give ({@link org.bosun.stage1.support.HostCapabilities}).
 */
@Version("1.0.0")
@Export
package org.bosun.stage1.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
