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
 * <p>
 * Every engine records each app's start in {@code <pod>/apps/<app>/started}: an empty file,
 * created once the app's own process has started (after its pre-start handler, once it is in its
 * cgroups; an engine that cannot tell, like fly, when it execs the app). Its modification time is
 * when; its content is not read. From these two files and the pod's state the core tells each
 * app's {@link org.bosun.api.pod.AppState}: exited if it has a status; prepared until the pod
 * runs; in a running pod running once started, else starting; in an exited pod exited if it had
 * started, else unknown.
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
