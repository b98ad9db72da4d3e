/**
 * The CRI streaming server: the CRI server registers an exec, attach or port-forward session and
 * hands the kubelet the one-time URL it gets back ({@link org.bosun.cri.streaming.StreamingService});
 * the client then speaks SPDY/3.1 or WebSocket to that URL. Attach reaches an app's own standard
 * streams through an {@link org.bosun.cri.streaming.AttachBackend}, which the core may provide.
 */
@Version("1.0.0")
@Export
package org.bosun.cri.streaming;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
