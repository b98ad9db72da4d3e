/** Unix sockets on the host that only their owner may connect to. */
@Version("1.1.0")
@Export
package org.bosun.host.socket;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
