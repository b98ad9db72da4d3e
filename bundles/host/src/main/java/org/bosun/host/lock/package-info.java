/**
 * File locks on the host: flock(2) locks, which exclude each other between processes and between
 * the threads of one process alike, and the small allocation records kept under them.
 */
@Version("1.1.0")
@Export
package org.bosun.host.lock;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
