package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppIo;
import org.bosun.api.app.AppLifecycle;
import org.bosun.api.app.AppStats;
import org.bosun.api.app.AppStatus;
import org.bosun.api.app.PodStats;
import org.bosun.api.app.ResourceUpdate;
import org.bosun.api.image.Progress;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.PodState;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.files.FileTree;

/**
 * The app-level operations of {@link org.bosun.api.app.AppService} on pod directories. Apps are
 * added, started, stopped and removed one operation at a time per pod, under the pod's
 * {@value #APPS_LOCK} (its {@code pod.lck} is the running engine's). What the core records of an
 * added app, beside what its engine records ({@code started}, {@code status}):
 *
 * <pre>
 * apps/NAME/created   when it was added (ISO-8601 instant)
 * apps/NAME/start     present once it was asked to start: it is started at most once
 * apps/NAME/resources the limits updates applied while it ran ({@link AppResourcesFile})
 * </pre>
 *
 * The manifest ({@code pod}) lists an app from the moment its engine has added it until it is
 * removed; an {@code apps/} entry it does not list is what an interrupted add left, which the next
 * add of the pod removes.
 */
final class AppOperations {
    static final String APPS_LOCK = "apps.lck";
    static final String CREATED = "created";
    static final String START = "start";
    /** The limits {@link #updateResources} applied, over each other. */
    static final String RESOURCES = "resources";
    /** How long an app may take to report its start after the engine took the request. */
    static final Duration START_WAIT = Duration.ofSeconds(60);
    /** What a stop may take beyond its timeout: the runtime's kill and the supervisor's bookkeeping. */
    static final Duration STOP_GRACE = Duration.ofSeconds(15);

    /** The pod's engine as the operations need it. */
    interface Engines {
        EngineRecordJson engineOf(PodStore.Found f);
    }

    private final PodFiles files;
    private final ServiceLookup services;
    private final PodPreparer preparer;
    private final Engines engines;

    AppOperations(PodFiles files, ServiceLookup services, PodPreparer preparer, Engines engines) {
        this.files = files;
        this.services = services;
        this.preparer = preparer;
        this.engines = engines;
    }

    static BosunException unsupported(String engine) {
        return BosunException.notImplemented("stage1 engine '" + engine + "' has no app operations (bosun app);"
                + " create the sandbox with --stage1-name=oci or --stage1-name=nspawn");
    }

    AppStatus add(RuntimePaths paths, String uuid, AppRequest app, AppIo io,
            List<org.bosun.api.pod.PodOptions.VolumeSpec> volumes, Set<InsecureOption> insecure, Progress progress) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = sandbox(store, uuid, "added");
        EngineRecordJson engine = engines.engineOf(f);
        try (PodLock lock = PodLock.waitExclusive(f.path().resolve(APPS_LOCK));
                org.bosun.api.image.ImagePin pin = preparer.pin(paths)) {
            requireRunning(store, f, "added");
            PodManifestJson manifest = files.manifest(f.path());
            PodManifestJson updated = preparer.addApp(paths, f.uuid(), f.path(), manifest, engine.name(), app, volumes,
                    insecure, progress, pin);
            String name = updated.apps().get(updated.apps().size() - 1).name();
            Path appDir = f.path().resolve("apps").resolve(name);
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), updated);
            try {
                if (!io.equals(AppIo.DEFAULT)) {
                    files.writeText(appDir.resolve(AppIo.FILE), io.text());
                }
                files.writeText(appDir.resolve(CREATED), Instant.now() + "\n");
                lifecycle(engine, l -> {
                    l.add(pod, name);
                    return null;
                });
                TestPauses.at(paths, TestPauses.APP_ADD);
                files.writeJson(f.path().resolve(PodFiles.MANIFEST), updated);
            } catch (RuntimeException e) {
                try {
                    lifecycle(engine, l -> {
                        l.remove(pod, name, true);
                        return null;
                    });
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                try {
                    FileTree.delete(appDir);
                } catch (IOException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
            return status(store, f, updated, name);
        }
    }

    AppStatus start(RuntimePaths paths, String uuid, String name) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = sandbox(store, uuid, "started");
        EngineRecordJson engine = engines.engineOf(f);
        try (PodLock lock = PodLock.waitExclusive(f.path().resolve(APPS_LOCK))) {
            requireRunning(store, f, "started");
            PodManifestJson manifest = files.manifest(f.path());
            AppStatus before = status(store, f, manifest, app(f, manifest, name));
            // A start whose command died between its mark and the engine's request left the app
            // "starting" for ever: it is asked again, which is safe, since the engine starts an app once.
            if (before.state() != AppStatus.State.CREATED && before.state() != AppStatus.State.STARTING) {
                throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " is " + before.state().label()
                        + "; only an app that was added and not started can be started (add it again under another name)");
            }
            Path appDir = f.path().resolve("apps").resolve(name);
            files.writeText(appDir.resolve(START), "");
            TestPauses.at(paths, TestPauses.APP_START);
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
            try {
                lifecycle(engine, l -> {
                    l.start(pod, name);
                    return null;
                });
            } catch (RuntimeException e) {
                try {
                    Files.deleteIfExists(appDir.resolve(START));
                } catch (IOException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
            return await(store, f, manifest, name, START_WAIT, s -> s.state() == AppStatus.State.RUNNING
                    || s.state() == AppStatus.State.EXITED, "start");
        }
    }

    AppStatus stop(RuntimePaths paths, String uuid, String name, Duration timeout, boolean force) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = sandbox(store, uuid, "stopped");
        EngineRecordJson engine = engines.engineOf(f);
        try (PodLock lock = PodLock.waitExclusive(f.path().resolve(APPS_LOCK))) {
            PodManifestJson manifest = files.manifest(f.path());
            AppStatus before = status(store, f, manifest, app(f, manifest, name));
            if (before.state() != AppStatus.State.RUNNING && before.state() != AppStatus.State.STARTING) {
                throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " is " + before.state().label()
                        + ", not running");
            }
            TestPauses.at(paths, TestPauses.APP_STOP);
            return stopLocked(store, f, engine, manifest, name, timeout, force);
        }
    }

    /** The CRI log of a running app opened again at its path (after a kubelet renamed it). */
    void reopenLog(RuntimePaths paths, String uuid, String name) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson found = files.manifest(f.path());
        if (found == null) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label()
                    + "; an app's log is reopened only in a running sandbox");
        }
        app(f, found, name);
        AppStatus status = status(store, f, found, name);
        if (status.io().criLog() == null) {
            throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " has no CRI log to reopen");
        }
        if (status.state() != AppStatus.State.RUNNING) {
            throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " is " + status.state().label()
                    + "; only a running app's log is reopened");
        }
        EngineRecordJson engine = engines.engineOf(f);
        try (PodLock lock = PodLock.waitExclusive(f.path().resolve(APPS_LOCK))) {
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), files.manifest(f.path()));
            lifecycle(engine, l -> {
                l.reopenLog(pod, name);
                return null;
            });
        }
    }

    /** What a running app uses, or a not running one's writable layer, as its engine reads them. */
    AppStats stats(RuntimePaths paths, String uuid, String name) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = runningManifest(store, f, "measured");
        app(f, manifest, name);
        PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
        return lifecycle(engines.engineOf(f), l -> l.stats(pod, name));
    }

    /** What a running sandbox uses, as its engine reads it. */
    PodStats podStats(RuntimePaths paths, String uuid) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = runningManifest(store, f, "measured");
        PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
        return lifecycle(engines.engineOf(f), l -> l.podStats(pod));
    }

    /**
     * New limits applied to a running app by its engine, then recorded in {@code apps/NAME/}{@value
     * #RESOURCES} over what earlier updates recorded.
     */
    ResourceUpdate updateResources(RuntimePaths paths, String uuid, String name, ResourceUpdate update) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson found = runningManifest(store, f, "updated");
        app(f, found, name);
        EngineRecordJson engine = engines.engineOf(f);
        try (PodLock lock = PodLock.waitExclusive(f.path().resolve(APPS_LOCK))) {
            PodManifestJson manifest = files.manifest(f.path());
            AppStatus status = status(store, f, manifest, app(f, manifest, name));
            if (status.state() != AppStatus.State.RUNNING) {
                throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " is "
                        + status.state().label() + "; only a running app's resources are updated");
            }
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
            lifecycle(engine, l -> {
                l.update(pod, name, update);
                return null;
            });
            ResourceUpdate recorded = AppResourcesFile.read(f.path().resolve("apps").resolve(name).resolve(RESOURCES))
                    .then(update);
            files.writeText(f.path().resolve("apps").resolve(name).resolve(RESOURCES), AppResourcesFile.text(recorded));
            return recorded;
        }
    }

    ResourceUpdate updatedResources(RuntimePaths paths, String uuid, String name) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = files.manifest(f.path());
        if (manifest != null) {
            app(f, manifest, name);
        }
        return AppResourcesFile.read(f.path().resolve("apps").resolve(name).resolve(RESOURCES));
    }

    private PodManifestJson runningManifest(PodStore store, PodStore.Found f, String what) {
        PodManifestJson manifest = files.manifest(f.path());
        if (manifest == null || store.state(f) != PodState.RUNNING) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label() + "; only a running"
                    + " pod's apps are " + what);
        }
        return manifest;
    }

    private AppStatus stopLocked(PodStore store, PodStore.Found f, EngineRecordJson engine, PodManifestJson manifest,
            String name, Duration timeout, boolean force) {
        PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
        lifecycle(engine, l -> {
            l.stop(pod, name, timeout, force);
            return null;
        });
        return await(store, f, manifest, name, (force ? Duration.ZERO : timeout).plus(STOP_GRACE),
                s -> s.state() == AppStatus.State.EXITED, "stop");
    }

    void remove(RuntimePaths paths, String uuid, String name, Duration timeout) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = files.manifest(f.path());
        if (manifest == null) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label()
                    + " and has no manifest yet; try again in a moment");
        }
        requireSandbox(f, manifest, "removed");
        EngineRecordJson engine = engines.engineOf(f);
        try (PodLock lock = PodLock.waitExclusive(f.path().resolve(APPS_LOCK))) {
            manifest = files.manifest(f.path());
            app(f, manifest, name);
            AppStatus before = status(store, f, manifest, name);
            boolean running = store.state(f) == PodState.RUNNING;
            if (running && (before.state() == AppStatus.State.RUNNING || before.state() == AppStatus.State.STARTING)) {
                stopLocked(store, f, engine, manifest, name, timeout, false);
            }
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
            lifecycle(engine, l -> {
                l.remove(pod, name, running);
                return null;
            });
            TestPauses.at(paths, TestPauses.APP_RM);
            List<PodManifestJson.RuntimeApp> apps = new ArrayList<>(manifest.apps());
            apps.removeIf(a -> a.name().equals(name));
            // the volumes of the app's own (not the pod's, which its options name) go with it
            Set<String> podVolumes = new java.util.HashSet<>();
            files.options(f.path()).volumes().forEach(v -> podVolumes.add(v.name()));
            Set<String> mounted = new java.util.HashSet<>();
            apps.forEach(a -> {
                if (a.mounts() != null) {
                    a.mounts().forEach(m -> mounted.add(m.volume()));
                }
            });
            List<PodManifestJson.Volume> volumes = manifest.volumes() == null ? null : manifest.volumes().stream()
                    .filter(v -> podVolumes.contains(v.name()) || mounted.contains(v.name())).toList();
            files.writeJson(f.path().resolve(PodFiles.MANIFEST), new PodManifestJson(manifest.acVersion(),
                    manifest.acKind(), apps, volumes, manifest.isolators(), manifest.annotations(),
                    manifest.ports(), manifest.userAnnotations(), manifest.userLabels()));
            try {
                FileTree.delete(f.path().resolve("apps").resolve(name));
            } catch (IOException e) {
                throw BosunException.internal("app " + name + " of pod " + f.uuid() + " is removed from its manifest,"
                        + " but its files are not: " + e.getMessage() + "; bosun rm of the pod removes them", e);
            }
        }
    }

    List<AppStatus> list(RuntimePaths paths, String uuid) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = files.manifest(f.path());
        List<AppStatus> result = new ArrayList<>();
        if (manifest != null) {
            for (PodManifestJson.RuntimeApp a : manifest.apps()) {
                result.add(status(store, f, manifest, a.name()));
            }
        }
        return result;
    }

    AppStatus status(RuntimePaths paths, String uuid, String name) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = files.manifest(f.path());
        if (manifest == null) {
            throw BosunException.notFound("pod " + f.uuid() + " has no apps yet (it is " + store.state(f).label() + ")");
        }
        return status(store, f, manifest, app(f, manifest, name));
    }

    /** An app's status from its records and the pod's state. */
    private AppStatus status(PodStore store, PodStore.Found f, PodManifestJson manifest, String name) {
        PodManifestJson.RuntimeApp app = manifest.apps().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow();
        Path appDir = f.path().resolve("apps").resolve(name);
        Integer exitCode = files.appExitCode(f.path(), name);
        Instant started = files.appStarted(f.path(), name);
        boolean startAsked = Files.exists(appDir.resolve(START));
        PodState pod = store.state(f);
        AppStatus.State state;
        if (exitCode != null) {
            state = AppStatus.State.EXITED;
        } else if (pod == PodState.RUNNING) {
            state = started != null ? AppStatus.State.RUNNING
                    : startAsked ? AppStatus.State.STARTING : AppStatus.State.CREATED;
        } else if (pod == PodState.PREPARED || pod == PodState.PREPARING) {
            state = AppStatus.State.CREATED;
        } else {
            // the pod's processes are gone, the app's with them
            state = started != null ? AppStatus.State.EXITED
                    : startAsked ? AppStatus.State.UNKNOWN : AppStatus.State.CREATED;
        }
        Instant created = files.instant(appDir.resolve(CREATED));
        if (created == null) {
            created = files.instant(f.path().resolve(PodFiles.CREATED));
        }
        Instant finished = null;
        if (exitCode != null) {
            try {
                finished = Files.getLastModifiedTime(appDir.resolve(PodFiles.APP_STATUS)).toInstant();
            } catch (IOException e) {
                finished = null;
            }
        }
        Integer pid = state == AppStatus.State.RUNNING ? files.appPid(f.path(), name) : null;
        return new AppStatus(name, state, app.image().name(), app.image().id(), created, started, finished, exitCode,
                app.app().userAnnotations(), pid, AppIo.read(appDir));
    }

    /**
     * The command that attaches the caller to a running app's {@code stream} streams (see
     * {@link AppAttach}). Nothing is locked: attaching changes nothing in the pod.
     */
    org.bosun.api.stage1.EngineCommand attach(RuntimePaths paths, String uuid, String name, Set<AppIo.Stream> streams) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = files.manifest(f.path());
        if (manifest == null) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label() + " and has no apps yet");
        }
        AppStatus status = status(store, f, manifest, app(f, manifest, name));
        if (status.io().tty()) {
            // a terminal is all three streams: whichever were asked for, the caller gets the terminal
            return attachTerminal(f, status);
        }
        List<AppIo.Stream> wanted = streams.isEmpty() ? status.io().attachable() : List.copyOf(streams);
        if (wanted.isEmpty()) {
            throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " has no stream to attach to (stdin "
                    + status.io().stdin().label() + ", stdout " + status.io().stdout().label() + ", stderr "
                    + status.io().stderr().label() + "); add it with --stdin=stream and --stdout=stream");
        }
        for (AppIo.Stream s : wanted) {
            if (status.io().mode(s) != AppIo.Mode.STREAM) {
                throw BosunException.precondition("the " + s.label() + " of app " + name + " of pod " + f.uuid() + " is "
                        + status.io().mode(s).label() + ", not stream; only stream streams can be attached to");
            }
        }
        if (status.state() != AppStatus.State.RUNNING || status.pid() == null) {
            throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " is " + status.state().label()
                    + "; only a running app can be attached to (bosun app start " + f.uuid() + " --app=" + name + ")");
        }
        return AppAttach.command(f.path().resolve("apps").resolve(name), status.pid(),
                wanted.contains(AppIo.Stream.STDIN),
                wanted.contains(AppIo.Stream.STDOUT) || wanted.contains(AppIo.Stream.STDERR), status.io().stdinOnce());
    }

    /**
     * The command that attaches the caller to a running {@code tty} app's terminal (see
     * {@link AppAttach#TERMINAL_SCRIPT}); an app without a terminal is refused with one line.
     */
    org.bosun.api.stage1.EngineCommand attachTerminal(RuntimePaths paths, String uuid, String name) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = files.manifest(f.path());
        if (manifest == null) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label() + " and has no apps yet");
        }
        AppStatus status = status(store, f, manifest, app(f, manifest, name));
        if (!status.io().tty()) {
            throw BosunException.precondition("app " + name + " of pod " + f.uuid() + " has no terminal (stdin "
                    + status.io().stdin().label() + ", stdout " + status.io().stdout().label() + ", stderr "
                    + status.io().stderr().label() + "); attach without --mode=tty, or add it with --stdin=tty"
                    + " --stdout=tty --stderr=tty");
        }
        return attachTerminal(f, status);
    }

    private org.bosun.api.stage1.EngineCommand attachTerminal(PodStore.Found f, AppStatus status) {
        if (status.state() != AppStatus.State.RUNNING || status.pid() == null) {
            throw BosunException.precondition("app " + status.name() + " of pod " + f.uuid() + " is "
                    + status.state().label() + "; only a running app can be attached to (bosun app start " + f.uuid()
                    + " --app=" + status.name() + ")");
        }
        return AppAttach.terminal(f.path(), status.name());
    }

    /** Polls the app's records until {@code done} holds, the pod ends, or {@code limit} passes. */
    private AppStatus await(PodStore store, PodStore.Found f, PodManifestJson manifest, String name, Duration limit,
            java.util.function.Predicate<AppStatus> done, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            AppStatus s = status(store, f, manifest, name);
            if (done.test(s)) {
                return s;
            }
            if (store.state(f) != PodState.RUNNING) {
                throw BosunException.precondition("pod " + f.uuid() + " ended while app " + name + " was asked to "
                        + what);
            }
            if (System.nanoTime() > deadline) {
                throw BosunException.deadlineExceeded("app " + name + " of pod " + f.uuid() + " did not " + what
                        + " within " + limit.toSeconds() + " s; it is " + s.state().label());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("waiting for app " + name + " of pod " + f.uuid() + " to " + what
                        + " was cancelled");
            }
        }
    }

    private <R> R lifecycle(EngineRecordJson engine, Function<AppLifecycle, R> operation) {
        return services.withEngine(engine.name(), e -> {
            if (!(e instanceof AppLifecycle l)) {
                throw unsupported(engine.name());
            }
            return operation.apply(l);
        }).result();
    }

    private PodStore.Found sandbox(PodStore store, String uuid, String what) {
        PodStore.Found f = store.find(uuid);
        PodManifestJson manifest = files.manifest(f.path());
        if (manifest == null) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label()
                    + "; apps are " + what + " only in a running sandbox");
        }
        requireSandbox(f, manifest, what);
        requireRunning(store, f, what);
        return f;
    }

    private static void requireSandbox(PodStore.Found f, PodManifestJson manifest, String what) {
        boolean sandbox = manifest.annotations() != null && manifest.annotations().stream()
                .anyMatch(nv -> AppLifecycle.EXIT_POLICY.equals(nv.name())
                        && AppLifecycle.EXIT_POLICY_NEVER.equals(nv.value()));
        if (!sandbox) {
            throw BosunException.precondition("pod " + f.uuid() + " is not a sandbox; apps are " + what
                    + " only in pods made by bosun app sandbox");
        }
    }

    private static void requireRunning(PodStore store, PodStore.Found f, String what) {
        PodState state = store.state(f);
        if (state != PodState.RUNNING) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + state.label() + "; apps are " + what
                    + " only in a running sandbox");
        }
    }

    private static String app(PodStore.Found f, PodManifestJson manifest, String name) {
        if (name == null || name.isEmpty()) {
            throw BosunException.invalid("no app named; give one with --app");
        }
        if (manifest.apps().stream().noneMatch(a -> a.name().equals(name))) {
            throw new BosunException(ErrorKind.NOT_FOUND, "pod " + f.uuid() + " has no app '" + name + "'; see bosun app list "
                    + f.uuid());
        }
        return name;
    }
}
