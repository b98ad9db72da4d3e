package org.bosun.api.stage1;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An execution engine. Everything an engine needs to know about a pod is in the
 * {@link PodDirectory}; everything it keeps for later it writes there, so that a newer version
 * of the same engine (same ABI version) can manage the pod after an update.
 * <p>
 * An engine that supervises its apps ({@link EngineCapabilities#supervised()}) records each app's
 * exit code, once the app has exited, in {@code <pod>/apps/<app>/status}: the decimal code and a
 * newline (128+N for an app killed by signal N). The core reads nothing else about apps' ends.
 */
@ConsumerType
public interface Stage1Engine {

    /** What the engine can do; the core refuses requests beyond it before touching anything. */
    EngineCapabilities capabilities();

    /** Writes the engine's own files into the pod while it is being prepared. */
    void prepare(PodDirectory pod);

    /** The process that runs the pod; the caller replaces itself with it. */
    EngineCommand run(PodDirectory pod);

    /** The process that runs {@code command} inside {@code app} of a running pod. */
    EngineCommand enter(PodDirectory pod, String app, List<String> command);

    /** Stops the running pod whose engine process is {@code pid}. */
    void stop(PodDirectory pod, long pid, boolean force);

    /** Releases what the pod held outside its directory (mounts, cgroups); called before deletion. */
    void gc(PodDirectory pod);
}
