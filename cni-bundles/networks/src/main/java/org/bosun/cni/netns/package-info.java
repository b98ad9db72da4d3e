/**
 * The network namespace of a pod. A {@link org.bosun.cni.netns.PodNetns} creates a named network
 * namespace for a pod and records it in the pod directory, so that whoever collects the pod
 * removes it, with nothing but the pod directory: the CNI network provider's
 * {@code detach(podDir)} does so after the networks are torn down.
 */
@Version("1.0.0")
@Export
package org.bosun.cni.netns;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
