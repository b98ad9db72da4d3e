/** Directory trees on the host: deleting them safely, and the mount points that make a delete unsafe. */
@Version("1.0.0")
@Export
package org.bosun.host.files;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
