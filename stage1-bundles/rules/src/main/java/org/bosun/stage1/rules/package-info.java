/**
 * The rules the isolating stage1 engines (nspawn, oci, and a vendor's) apply alike to a prepared
 * pod and the host, so that each engine keeps only what is its own: the mount points of the pod's
 * {@code etc/} files in each app ({@link org.bosun.stage1.rules.EtcMountPoints}), the check of the
 * apps' names at the engine's own boundary ({@link org.bosun.stage1.rules.AppNames}), the devices
 * an app may open ({@link org.bosun.stage1.rules.AllowedDevices}), how an entered process joins
 * an app's cgroups ({@link org.bosun.stage1.rules.ProcessCgroups}) and the holder of an added app's attachable streams ({@link org.bosun.stage1.rules.TerminalHolder}) and the writer of its CRI log ({@link org.bosun.stage1.rules.CriLogFormat}). What the host can give (its
 * capability bounding set) is a host fact: {@code org.bosun.host.HostCapabilities}.
 */
@Version("1.3.0")
@Export
package org.bosun.stage1.rules;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
