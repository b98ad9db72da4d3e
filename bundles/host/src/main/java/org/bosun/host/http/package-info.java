/**
 * HTTP/1.1 spoken by hand on a socket that a bundle serves itself (the CRI streaming server's
 * upgrades, the appc metadata service's registration socket): a request head read to its blank line
 * and no further, and the heads of the answers.
 */
@Version("1.0.0")
@Export
package org.bosun.host.http;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
