package org.bosun.api.app;

import java.time.Duration;

import org.bosun.api.stage1.PodDirectory;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The app-level operations of a stage1 engine. An engine that supports them implements this
 * interface on the same object as its {@link org.bosun.api.stage1.Stage1Engine} (and registers it
 * under both): the core reaches it through the engine the pod records, so no second selection can
 * disagree with the first. An engine without it refuses app operations (the core says so in one line).
 * <p>
 * A pod whose annotation {@link #EXIT_POLICY} is {@link #EXIT_POLICY_NEVER} is a sandbox: the engine
 * runs it with its apps (it may have none) and keeps it running when they exit, until it is stopped
 * ({@link org.bosun.api.stage1.Stage1Engine#stop}). Only in such a pod are apps added, started,
 * stopped and removed while it runs.
 * <p>
 * The core calls these methods with the pod's lock for apps held (one app operation on a pod at a
 * time) and with a {@link PodDirectory} read from the pod's manifest, which names the app. The
 * engine keeps whatever it needs in {@link PodDirectory#stage1Dir()} and reports what apps do in the
 * files {@link org.bosun.api.stage1.Stage1Engine} describes ({@code apps/NAME/started},
 * {@code apps/NAME/status}): a later version of the engine bundle reads them as they are. Since 1.1
 * it also writes the host pid of the app's process into {@code apps/NAME/pid} before {@code started}
 * (shown while the app runs), and connects the app's streams as {@link AppIo} (read from
 * {@code apps/NAME/io}) says, refusing at {@link #add} the modes it cannot give.
 */
@ConsumerType
public interface AppLifecycle {
    /** The pod annotation that says when a pod ends. */
    String EXIT_POLICY = "bosun.org/exit-policy";
    /** A pod that does not end when its apps exit: a sandbox, which {@code bosun stop} ends. */
    String EXIT_POLICY_NEVER = "never";

    /**
     * Writes the engine's files for app {@code app} of {@code pod}, whose rootfs, security policy and
     * mounts the core has prepared. Refuses (and writes nothing) what it could not run. The app does
     * not start.
     *
     */
    void add(PodDirectory pod, String app);

    /**
     * Starts an added app of the running pod and returns once the engine has taken the request; the
     * core then waits for the app's {@code started} or {@code status} file.
     */
    void start(PodDirectory pod, String app);

    /**
     * Asks a running app to stop: SIGTERM, SIGKILL after {@code timeout} (at once if zero, or with
     * {@code force}). Returns once the request is taken; the core waits for the app's {@code status}.
     */
    void stop(PodDirectory pod, String app, Duration timeout, boolean force);

    /**
     * Removes the engine's files of an app that is not running (never started, or exited), and what
     * it holds in the running pod (its rootfs mount). {@code running} says whether the pod runs; an
     * exited pod's mounts are gone with it.
     */
    void remove(PodDirectory pod, String app, boolean running);

    /**
     * Has the writer of a running app's CRI log ({@link AppIo#criLog()}) open its path again, and
     * returns once the file is there. An engine that writes no CRI log refuses it.
     *
     * @since 1.1
     */
    default void reopenLog(PodDirectory pod, String app) {
        throw org.bosun.api.BosunException.notImplemented("this stage1 engine writes no CRI log, so there is no log of"
                + " app " + app + " to reopen; use the oci engine");
    }

    /**
     * What app {@code app} of the running pod uses: its cgroups' figures while it runs (null
     * otherwise) and its writable layer. An engine that cannot read them refuses it.
     *
     * @since 1.1
     */
    default AppStats stats(PodDirectory pod, String app) {
        throw org.bosun.api.BosunException.notImplemented("this stage1 engine reports no usage statistics of its apps"
                + " (app " + app + " of pod " + pod.uuid() + "); use the oci engine");
    }

    /**
     * What the running pod uses: its cgroups, its network namespace's interfaces, and each app's
     * {@link #stats}.
     *
     * @since 1.1
     */
    default PodStats podStats(PodDirectory pod) {
        throw org.bosun.api.BosunException.notImplemented("this stage1 engine reports no usage statistics of its pods"
                + " (pod " + pod.uuid() + "); use the oci engine");
    }

    /**
     * Applies new cgroup limits to a running app (the fields {@code update} gives; the others stay).
     * Refuses a field it cannot apply, naming it, and changes nothing then.
     *
     * @since 1.1
     */
    default void update(PodDirectory pod, String app, ResourceUpdate update) {
        throw org.bosun.api.BosunException.notImplemented("this stage1 engine cannot change a running app's resources"
                + " (app " + app + " of pod " + pod.uuid() + "); use the oci engine");
    }
}
