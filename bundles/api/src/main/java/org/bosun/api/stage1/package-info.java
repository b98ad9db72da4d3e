/**
 * Stage1 engines: the bundles that turn a prepared pod directory into a running pod with a real
 * tool (chroot, systemd-nspawn, runc/crun, qemu). The core selects one by its
 * {@link org.bosun.api.stage1.Stage1EngineService#name() name} property and never keeps it beyond
 * one operation, so an engine bundle can be updated while its pods run.
 */
@Version("1.2.0")
@Export
package org.bosun.api.stage1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
