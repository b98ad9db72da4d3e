/**
 * Pod networks. A {@link org.bosun.api.net.NetworkProvider} attaches a pod's network namespace to
 * the networks named with {@code --net=} (through CNI plugins) and detaches it at gc, from what it
 * recorded in the pod, so a newer provider can tear down what an older one set up. Since 1.1 a
 * provider lists the networks it defines ({@link org.bosun.api.net.NetworkProvider#networks}).
 */
@Version("1.1.0")
@Export
package org.bosun.api.net;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
