/**
 * Host primitives that several bundles need, each implemented once here so that two bundles never
 * disagree on how a host resource is handled. Sub-packages group them by resource.
 */
@Version("1.1.0")
@Export
package org.bosun.host;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
