package org.bosun.api.net;

import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Attaches pods to networks and detaches them again. The pod's network namespace
 * ({@link NetworkRequest#netns()}) is not the provider's: the core creates it before
 * {@link #attach} and removes it after {@link #detach}; a provider only adds and removes
 * interfaces in it.
 */
@ConsumerType
public interface NetworkProvider {

    /** Attaches the pod to every requested network, or to none: a failure undoes what was done. */
    List<NetworkAttachment> attach(NetworkRequest request);

    /** Checks that the pod's attachments are still as recorded. */
    void check(Path podDir);

    /** Detaches the pod from everything recorded in {@code podDir}; safe to call twice. */
    void detach(Path podDir);

    /**
     * The networks a pod of this data directory can be attached to, by name, in the order the provider
     * looks them up; read-only. A provider that cannot list them says so (NOT_IMPLEMENTED).
     *
     * @since 1.1
     */
    default List<NetworkDefinition> networks(RuntimePaths paths) {
        throw BosunException.notImplemented("network provider " + getClass().getName() + " does not list its networks");
    }
}
