package org.bosun.cri.streaming;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Reaches the standard streams of a running app: what an engine or the core provides once apps
 * keep their streams open for attaching. The streaming server uses the highest-ranked one.
 */
@ConsumerType
public interface AttachBackend {

    /** Checks that the app can be attached to, before a URL is handed out (a failure is a BosunException). */
    void check(RuntimePaths paths, AttachSession session);

    /** Connects to the app's streams; the session ends when the returned process says it has exited. */
    StreamedProcess attach(RuntimePaths paths, AttachSession session);
}
