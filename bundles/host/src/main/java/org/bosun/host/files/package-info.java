/**
 * Directory trees on the host: deleting them safely, and the mount points that make a delete unsafe,
 * read from mountinfo ({@link org.bosun.host.files.MountInfo}).
 */
@Version("1.1.0")
@Export
package org.bosun.host.files;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
