package org.bosun.api.pod;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.bosun.api.RuntimePaths;
import org.bosun.api.image.Progress;
import org.bosun.api.stage1.EngineCommand;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Prepares, lists, starts, stops and collects pods kept on disk under {@link RuntimePaths#podsDir()}.
 * No daemon is needed: every method works from the directories and their locks, and any number of
 * processes may call it at once. Pod arguments accept a unique UUID prefix.
 */
@ProviderType
public interface PodService {

    /**
     * Prepares a pod: fetches and renders its images, writes its manifest, lets the engine prepare it.
     * The fetches and renders of its images are reported to {@code progress} (the CLI's progress
     * bars; {@link Progress#NONE} for a caller that shows none).
     */
    PodInfo prepare(RuntimePaths paths, PrepareRequest request, Progress progress);

    /** Every pod in every state, oldest first. */
    List<PodInfo> list(RuntimePaths paths);

    /** One pod by UUID or unique UUID prefix. */
    PodInfo status(RuntimePaths paths, String uuid);

    /** The pod manifest, as JSON. */
    String manifest(RuntimePaths paths, String uuid);

    /**
     * What the caller must do to run a prepared pod (see {@link PodLaunch}), with the pod's network,
     * DNS, host name and terminal set as {@code settings} says ({@code run-prepared --net ...}); what
     * it leaves null stays as the pod was prepared ({@link LaunchSettings#NONE}: all of it).
     * Meanwhile, and for a few milliseconds after, the service readies the host for the first moves
     * of the pod's processes, which the caller makes right after it gets the launch.
     */
    PodLaunch launch(RuntimePaths paths, String uuid, LaunchSettings settings);

    /**
     * Prepares a pod and works out its launch, as {@link #prepare} then {@link #launch} with
     * {@link LaunchSettings#NONE} ({@code bosun run}), readying the host for the pod's first moves
     * from the start. {@code prepared} is told of the pod once it is prepared, before its launch is
     * worked out, so the caller can record its UUID even when the launch fails.
     *
     * @since 1.1
     */
    PodLaunch run(RuntimePaths paths, PrepareRequest request, Progress progress, Consumer<PodInfo> prepared);

    /**
     * Starts a launch (from {@link #launch}, {@link #run} or
     * {@link org.bosun.api.app.AppService#sandbox}) detached from the caller: the pod takes its own
     * lock, runs in a session of its own with stdio on /dev/null, and is not the caller's child, so
     * that the caller (an agent serving a kubelet, say) may die without ending it. Returns once the
     * pod counts as running (its lock taken, its directory in run/, its pid recorded).
     *
     * @since 1.3
     */
    void startDetached(PodLaunch launch);

    /**
     * The ids of the images that embryo, preparing, prepared and running pods use: the images the
     * image store must keep ({@code image rm} and {@code image gc}).
     *
     * @since 1.1
     */
    Set<String> imagesInUse(RuntimePaths paths);

    /**
     * The process that runs {@code command} (the app's shell when empty) inside app {@code app}
     * (the only app when null) of a running pod; the caller replaces itself with it.
     */
    EngineCommand enter(RuntimePaths paths, String uuid, String app, List<String> command);

    /** Asks a running pod to stop (SIGTERM to its engine), or kills it with {@code force}. */
    void stop(RuntimePaths paths, String uuid, boolean force);

    /** Deletes a pod that is prepared or exited, now, with the engine's clean-up. */
    void remove(RuntimePaths paths, String uuid);

    /**
     * Marks exited pods as garbage and deletes garbage older than {@code gracePeriod}; prepared
     * pods older than {@code expirePrepared} and aborted preparations become garbage too. With
     * {@code markOnly}, exited and aborted pods are moved to garbage (their exit time marked) and
     * nothing is deleted ({@code gc --mark-only}).
     */
    GcReport gc(RuntimePaths paths, Duration gracePeriod, Duration expirePrepared, boolean markOnly);

    /**
     * Writes app {@code app} (the only app when null) of an exited pod to {@code file} as an ACI, as
     * rkt's {@code export}: the app's image manifest and its root filesystem with the app's changes.
     * The file is complete or not written; an existing {@code file} without {@code overwrite} already
     * exists, a pod that has not exited is a failed precondition, a missing app not found.
     *
     * @since 1.2
     */
    void export(RuntimePaths paths, String uuid, String app, java.nio.file.Path file, boolean overwrite);
}
