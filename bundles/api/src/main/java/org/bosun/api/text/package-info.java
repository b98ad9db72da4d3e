/**
 * Text that every surface of bosun shows the same way (the CLI's lists and progress, the web console's
 * pages): sizes and how long ago something was.
 *
 * @since 1.1 (bundle org.bosun.api)
 */
@Version("1.0.0")
@Export
package org.bosun.api.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
