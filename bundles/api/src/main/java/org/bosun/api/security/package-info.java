/**
 * Security modules. Each module contributes its part of a pod's {@link org.bosun.api.security.SecurityPolicy}
 * as data; the engine enforces the whole policy with its own tool, or refuses the pod.
 */
@Version("1.1.0")
@Export
package org.bosun.api.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
