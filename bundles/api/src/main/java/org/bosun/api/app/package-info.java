/**
 * App-level operations: pods whose apps come and go while the pod runs (rkt's {@code rkt app}), as a
 * kubelet drives them through the CRI. {@link org.bosun.api.app.AppService} is what the core offers
 * callers; {@link org.bosun.api.app.AppLifecycle} is what an engine that supports it implements.
 * Everything about an added app is recorded in its pod's directory, so the CLI or agent that added
 * it, and the engine bundle version that added it, may all be gone when it is stopped and removed.
 */
@Version("1.2.0")
@Export
package org.bosun.api.app;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
