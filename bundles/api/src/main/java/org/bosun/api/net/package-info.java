/**
 * Pod networks. A {@link org.bosun.api.net.NetworkProvider} attaches a pod's network namespace to
 * the networks named with {@code --net=} (through CNI plugins) and detaches it at gc, from what it
 * recorded in the pod, so a newer provider can tear down what an older one set up.
 */
@Version("1.0.0")
@Export
package org.bosun.api.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
