package org.bosun.api.app;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.Progress;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodLaunch;
import org.bosun.api.pod.PrepareRequest;
import org.bosun.api.stage1.EngineCommand;
import org.osgi.annotation.versioning.ProviderType;

/**
 * App-level operations on pods (rkt's {@code rkt app}). Like {@link org.bosun.api.pod.PodService}, no
 * daemon is needed: everything is read from and recorded in the pod's directory, under its locks,
 * so any number of processes may call it at once. Failures are
 * {@link org.bosun.api.BosunException}s: {@code NOT_FOUND} for an unknown pod or app,
 * {@code ALREADY_EXISTS} for a name taken, {@code INVALID_ARGUMENT} for a bad request,
 * {@code FAILED_PRECONDITION} for a pod or app in the wrong state, {@code NOT_IMPLEMENTED} for an
 * engine without app operations; each leaves the pod as it was.
 */
@ProviderType
public interface AppService {

    /**
     * Prepares a sandbox: a pod with no apps (the request's apps must be empty) that does not end when
     * its apps exit, and works out its launch as {@link org.bosun.api.pod.PodService#run} does.
     * {@code prepared} is told of the pod once it is prepared.
     */
    PodLaunch sandbox(RuntimePaths paths, PrepareRequest request, Consumer<PodInfo> prepared);

    /**
     * Adds an app to a running sandbox, prepared exactly as {@code run} prepares its apps (image
     * lookup and fetch with the pod's pull policy, signatures, a rootfs of its own); it does not
     * start. A failure leaves no trace of the app.
     */
    AppStatus add(RuntimePaths paths, String uuid, AppRequest app, Set<InsecureOption> insecureOptions,
            Progress progress);

    /**
     * Adds an app as {@link #add(RuntimePaths, String, AppRequest, Set, Progress)} does, its standard
     * streams connected as {@code io} says.
     *
     * @since 1.1
     */
    AppStatus add(RuntimePaths paths, String uuid, AppRequest app, AppIo io, Set<InsecureOption> insecureOptions,
            Progress progress);

    /**
     * Adds an app as {@link #add(RuntimePaths, String, AppRequest, AppIo, Set, Progress)} does, with
     * volumes of its own ({@code host} or {@code empty}, checked as {@code --volume} is) that its
     * mounts may name besides the pod's: a kubelet's container mounts its host paths. Their names
     * must be new to the pod; they go with the app when it is removed.
     *
     * @since 1.1
     */
    AppStatus add(RuntimePaths paths, String uuid, AppRequest app, AppIo io,
            List<org.bosun.api.pod.PodOptions.VolumeSpec> volumes, Set<InsecureOption> insecureOptions,
            Progress progress);

    /**
     * The command that attaches the caller's standard streams to those of a running app whose
     * {@code streams} are {@code stream} ({@code bosun attach}); the caller execs it. The app goes on
     * running when it detaches: at the end of the caller's input, or on SIGINT. {@code FAILED_PRECONDITION}
     * for an app that does not run or a stream that is not attachable.
     *
     * @since 1.1
     */
    EngineCommand attach(RuntimePaths paths, String uuid, String app, Set<AppIo.Stream> streams);

    /**
     * The command that attaches the caller to a running {@code tty} app's terminal ({@code bosun
     * attach --mode=tty}); the caller execs it. With a terminal of its own, the caller's is put in raw
     * mode, its window size follows SIGWINCH, and ctrl-p ctrl-q detaches; the app goes on.
     * {@code FAILED_PRECONDITION} for an app without a terminal or one that does not run. {@link #attach}
     * of a {@code tty} app gives the same command.
     *
     * @since 1.1
     */
    default EngineCommand attachTerminal(RuntimePaths paths, String uuid, String app) {
        throw org.bosun.api.BosunException.notImplemented("attaching to an app's terminal is not implemented by "
                + getClass().getName());
    }

    /** Starts an added app of a running sandbox; returns once it runs (or has already exited). */
    AppStatus start(RuntimePaths paths, String uuid, String app);

    /**
     * Stops a running app: SIGTERM, then SIGKILL after {@code timeout} (at once with {@code force});
     * returns once it has exited, with its exit code.
     */
    AppStatus stop(RuntimePaths paths, String uuid, String app, Duration timeout, boolean force);

    /**
     * Removes an app, stopping it first if it runs; works on an exited sandbox too, as a kubelet
     * removes containers before their sandbox.
     */
    void remove(RuntimePaths paths, String uuid, String app, Duration timeout);

    /** The pod's apps, in the order they were added. */
    List<AppStatus> list(RuntimePaths paths, String uuid);

    /** One app of the pod. */
    AppStatus status(RuntimePaths paths, String uuid, String app);

    /**
     * Has the writer of a running app's CRI log ({@link AppIo#criLog()}) close its file and open the
     * path again, creating it: a kubelet renames the log to rotate it, then asks for this.
     * {@code FAILED_PRECONDITION} for an app that does not run or has no CRI log.
     *
     * @since 1.1
     */
    void reopenLog(RuntimePaths paths, String uuid, String app);

    /**
     * What an app uses ({@link AppLifecycle#stats}): its cgroups while it runs, its writable layer.
     * {@code FAILED_PRECONDITION} when the pod does not run.
     *
     * @since 1.1
     */
    AppStats stats(RuntimePaths paths, String uuid, String app);

    /**
     * What a running sandbox uses ({@link AppLifecycle#podStats}). {@code FAILED_PRECONDITION} when
     * it does not run.
     *
     * @since 1.1
     */
    PodStats podStats(RuntimePaths paths, String uuid);

    /**
     * Applies new cgroup limits to a running app and records them with the app (returned whole: what
     * every update so far has set). {@code FAILED_PRECONDITION} for an app that does not run,
     * {@code INVALID_ARGUMENT} or {@code NOT_IMPLEMENTED} for a field the engine cannot apply (nothing
     * changes then).
     *
     * @since 1.1
     */
    ResourceUpdate updateResources(RuntimePaths paths, String uuid, String app, ResourceUpdate update);

    /**
     * The limits every {@link #updateResources} of the app has set so far; {@link ResourceUpdate#NONE}
     * if none did.
     *
     * @since 1.1
     */
    ResourceUpdate updatedResources(RuntimePaths paths, String uuid, String app);
}
