/**
 * The CNI executor contract: a {@link org.bosun.cni.api.CniExecutor} runs the plugin binaries of
 * a {@link org.bosun.cni.api.NetworkConfig network configuration list} for one
 * {@link org.bosun.cni.api.CniAttachment attachment} (a container id, a network namespace and an
 * interface name) as the CNI specification describes, and keeps what it did in a cache so that
 * {@code CHECK} and {@code DEL} use the same configuration later, from any process.
 * <p>
 * Results of every supported CNI version (0.1.0 to 1.1.0) arrive as one model,
 * {@link org.bosun.cni.api.CniResult}. Plugin failures are
 * {@link org.bosun.cni.api.CniPluginException}s whose message is one line with the network, the
 * plugin, the CNI error code and the plugin's own message.
 */
@Version("1.0.0")
@Export
package org.bosun.cni.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
