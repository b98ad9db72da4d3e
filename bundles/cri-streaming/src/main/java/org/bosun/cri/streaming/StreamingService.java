package org.bosun.cri.streaming;

import java.net.URI;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Registers streaming sessions and answers the URL a client connects to: {@code http://127.0.0.1:PORT/exec/TOKEN}
 * (or {@code /attach/}, {@code /portforward/}). A token is good for one connection within a minute
 * of its registration. Registration checks what can be checked without running anything (the pod
 * runs, the app exists); failures are {@link org.bosun.api.BosunException}s of the usual kinds.
 */
@ProviderType
public interface StreamingService {

    /** An exec session: {@code session.command()} runs in the app with the app's whole security context. */
    URI exec(RuntimePaths paths, ExecSession session);

    /** An attach session to an app's own standard streams (NOT_IMPLEMENTED while no attach backend is installed). */
    URI attach(RuntimePaths paths, AttachSession session);

    /** A port-forward session: connections to ports on 127.0.0.1 inside the pod's network namespace. */
    URI portForward(RuntimePaths paths, PortForwardSession session);
}
