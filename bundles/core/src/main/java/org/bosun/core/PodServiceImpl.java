package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppService;
import org.bosun.api.app.AppStatus;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.EngineRecord;
import org.bosun.api.pod.GcReport;
import org.bosun.api.pod.LaunchSettings;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodLaunch;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.bosun.api.pod.PrepareRequest;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.stage1.PodDirectory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The pod lifecycle of DESIGN.md §2, kept entirely on disk. */
@Component(service = {PodService.class, AppService.class})
public final class PodServiceImpl implements PodService, AppService {
    private final PodFiles files = new PodFiles();
    private final ServiceLookup services;
    private final PodPreparer preparer;
    private final PodNetwork network;
    private final PodSecurity security;
    private final AppOperations apps;

    @Activate
    public PodServiceImpl(@Reference ProviderRegistry providers) {
        this.services = new ServiceLookup(providers);
        this.preparer = new PodPreparer(files, services);
        this.network = new PodNetwork(services, files);
        this.security = new PodSecurity(services, files);
        this.apps = new AppOperations(files, services, preparer, this::engineOf);
    }

    @Override
    public PodLaunch sandbox(RuntimePaths paths, PrepareRequest request, Consumer<PodInfo> prepared) {
        try (CgroupMigrationPrimer primer = CgroupMigrationPrimer.start()) {
            String uuid = preparer.prepare(paths, request, org.bosun.api.image.Progress.NONE, true);
            prepared.accept(status(paths, uuid));
            PodLaunch launch = launchPrepared(paths, uuid);
            primer.linger();
            return launch;
        }
    }

    @Override
    public void startDetached(PodLaunch launch) {
        DetachedStart.start(launch);
    }

    @Override
    public AppStatus add(RuntimePaths paths, String uuid, AppRequest app, Set<InsecureOption> insecureOptions,
            org.bosun.api.image.Progress progress) {
        return apps.add(paths, uuid, app, org.bosun.api.app.AppIo.DEFAULT, List.of(), insecureOptions, progress);
    }

    @Override
    public AppStatus add(RuntimePaths paths, String uuid, AppRequest app, org.bosun.api.app.AppIo io,
            Set<InsecureOption> insecureOptions, org.bosun.api.image.Progress progress) {
        return apps.add(paths, uuid, app, io, List.of(), insecureOptions, progress);
    }

    @Override
    public AppStatus add(RuntimePaths paths, String uuid, AppRequest app, org.bosun.api.app.AppIo io,
            List<org.bosun.api.pod.PodOptions.VolumeSpec> volumes, Set<InsecureOption> insecureOptions,
            org.bosun.api.image.Progress progress) {
        return apps.add(paths, uuid, app, io, volumes, insecureOptions, progress);
    }

    @Override
    public org.bosun.api.stage1.EngineCommand attach(RuntimePaths paths, String uuid, String app,
            Set<org.bosun.api.app.AppIo.Stream> streams) {
        return apps.attach(paths, uuid, app, streams);
    }

    @Override
    public org.bosun.api.stage1.EngineCommand attachTerminal(RuntimePaths paths, String uuid, String app) {
        return apps.attachTerminal(paths, uuid, app);
    }

    @Override
    public AppStatus start(RuntimePaths paths, String uuid, String app) {
        return apps.start(paths, uuid, app);
    }

    @Override
    public AppStatus stop(RuntimePaths paths, String uuid, String app, Duration timeout, boolean force) {
        return apps.stop(paths, uuid, app, timeout, force);
    }

    @Override
    public void remove(RuntimePaths paths, String uuid, String app, Duration timeout) {
        apps.remove(paths, uuid, app, timeout);
    }

    @Override
    public void reopenLog(RuntimePaths paths, String uuid, String app) {
        apps.reopenLog(paths, uuid, app);
    }

    @Override
    public org.bosun.api.app.AppStats stats(RuntimePaths paths, String uuid, String app) {
        return apps.stats(paths, uuid, app);
    }

    @Override
    public org.bosun.api.app.PodStats podStats(RuntimePaths paths, String uuid) {
        return apps.podStats(paths, uuid);
    }

    @Override
    public org.bosun.api.app.ResourceUpdate updateResources(RuntimePaths paths, String uuid, String app,
            org.bosun.api.app.ResourceUpdate update) {
        return apps.updateResources(paths, uuid, app, update);
    }

    @Override
    public org.bosun.api.app.ResourceUpdate updatedResources(RuntimePaths paths, String uuid, String app) {
        return apps.updatedResources(paths, uuid, app);
    }

    @Override
    public List<AppStatus> list(RuntimePaths paths, String uuid) {
        return apps.list(paths, uuid);
    }

    @Override
    public AppStatus status(RuntimePaths paths, String uuid, String app) {
        return apps.status(paths, uuid, app);
    }

    @Override
    public PodInfo prepare(RuntimePaths paths, PrepareRequest request, org.bosun.api.image.Progress progress) {
        String uuid = preparer.prepare(paths, request, progress);
        return status(paths, uuid);
    }

    @Override
    public List<PodInfo> list(RuntimePaths paths) {
        PodStore store = new PodStore(paths.podsDir());
        List<PodInfo> pods = new ArrayList<>();
        for (PodStore.Found f : store.all()) {
            releaseIfExited(store, f);
            PodInfo info = info(store, f);
            // Moved while listed (prepared to run, say): listed where it is now, so image gc, which
            // keeps the images of the pods listed, never misses a pod on its way.
            for (int attempt = 0; info == null && attempt < 5; attempt++) {
                try {
                    info = info(store, store.find(f.uuid()));
                } catch (BosunException gone) {
                    break;
                }
            }
            if (info != null) {
                pods.add(info);
            }
        }
        pods.sort(Comparator.comparing((PodInfo p) -> p.created() == null ? Instant.EPOCH : p.created())
                .thenComparing(PodInfo::uuid));
        return pods;
    }

    @Override
    public Set<String> imagesInUse(RuntimePaths paths) {
        Set<String> ids = new HashSet<>();
        for (PodInfo pod : list(paths)) {
            if (pod.state() == PodState.PREPARED || pod.state() == PodState.PREPARING || pod.state() == PodState.RUNNING
                    || pod.state() == PodState.EMBRYO) {
                for (AppInfo app : pod.apps()) {
                    if (app.imageId() != null) {
                        ids.add(app.imageId());
                    }
                }
            }
        }
        return ids;
    }

    @Override
    public PodInfo status(RuntimePaths paths, String uuid) {
        PodStore store = new PodStore(paths.podsDir());
        // A pod can move between directories while it is read; look again if it did.
        for (int attempt = 0; attempt < 5; attempt++) {
            PodStore.Found f = store.find(uuid);
            releaseIfExited(store, f);
            PodInfo info = info(store, f);
            if (info != null) {
                return info;
            }
        }
        throw BosunException.precondition("pod " + uuid + " keeps changing state; try again");
    }

    @Override
    public String manifest(RuntimePaths paths, String uuid) {
        PodStore.Found f = new PodStore(paths.podsDir()).find(uuid);
        try {
            return Files.readString(f.path().resolve(PodFiles.MANIFEST));
        } catch (IOException e) {
            throw BosunException.notFound("pod " + f.uuid() + " has no manifest yet (it is " + f.dir().dirName + ")");
        }
    }

    @Override
    public PodLaunch run(RuntimePaths paths, PrepareRequest request, org.bosun.api.image.Progress progress,
            Consumer<PodInfo> prepared) {
        try (CgroupMigrationPrimer primer = CgroupMigrationPrimer.start()) {
            PodInfo info = prepare(paths, request, progress);
            prepared.accept(info);
            PodLaunch launch = launchPrepared(paths, info.uuid());
            primer.linger();
            return launch;
        }
    }

    private PodLaunch launchPrepared(RuntimePaths paths, String uuid) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = prepared(store, uuid);
        PodManifestJson manifest = files.manifest(f.path());
        EngineRecordJson engine = engineOf(f);
        Path runDir = store.path(PodStore.Dir.RUN, f.uuid());
        PodDirectory pod = files.podDirectory(f.uuid(), runDir, manifest);
        ServiceLookup.EngineUse<EngineCommand> run = services.withEngine(engine.name(), e -> e.run(pod));
        EngineCommand command = pod.settings().interactive() ? InteractiveTerminal.checked(run.result()) : run.result();
        // Measured where it lies now: the run directory does not exist until the caller moves the pod.
        security.measure(new org.bosun.api.security.PodMeasurement(paths,
                files.podDirectory(f.uuid(), f.path(), manifest), f.path().resolve(PodFiles.MANIFEST), engine.name(),
                run.bundleVersion(), command));
        TestPauses.at(paths, TestPauses.LAUNCH);
        return new PodLaunch(f.uuid(), f.path(), runDir, PodLock.FILE_NAME, PodFiles.PID, command);
    }

    @Override
    public PodLaunch launch(RuntimePaths paths, String uuid, LaunchSettings settings) {
        try (CgroupMigrationPrimer primer = CgroupMigrationPrimer.start()) {
            if (settings != null && !settings.isEmpty()) {
                PodStore.Found f = prepared(new PodStore(paths.podsDir()), uuid);
                PodOptions prepared = files.options(f.path());
                PodOptions wanted = withSettings(prepared, settings);
                if (!wanted.equals(prepared)) {
                    reprepare(paths, f, prepared, wanted);
                }
            }
            PodLaunch launch = launchPrepared(paths, uuid);
            primer.linger();
            return launch;
        }
    }

    /** The pod, which must be prepared: only a prepared pod can be run. */
    private static PodStore.Found prepared(PodStore store, String uuid) {
        PodStore.Found f = store.find(uuid);
        if (f.dir() != PodStore.Dir.PREPARED) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label()
                    + ", not prepared; only a prepared pod can be run");
        }
        return f;
    }

    /**
     * rkt set a pod's network up when it ran; bosun does it when it prepares, so settings given to
     * run-prepared replace the prepared ones: the network is set up again with them and the engine
     * prepares the pod again (its files name the network, host name and terminal). The pod's lock
     * keeps a second run-prepared out meanwhile.
     */
    private void reprepare(RuntimePaths paths, PodStore.Found f, PodOptions prepared, PodOptions wanted) {
        EngineRecordJson engine = engineOf(f);
        org.bosun.api.stage1.EngineCapabilities caps = services.withEngine(engine.name(), e -> e.capabilities()).result();
        boolean privateNetwork = caps.privateNetwork();
        network.check(engine.name(), privateNetwork, wanted);
        PodSysctls.check(engine.name(), caps.isolated(), PodNetwork.isHost(PodNetwork.networks(wanted, privateNetwork)),
                wanted, PodSysctls.PROC_SYS);
        try (PodLock lock = PodLock.tryExclusive(f.path())) {
            if (lock == null) {
                throw BosunException.precondition("pod " + f.uuid() + " is being run by another command");
            }
            PodManifestJson manifest = files.manifest(f.path());
            List<org.bosun.api.image.ImageManifest.Port> imagePorts = files.imagePorts(f.path());
            try {
                applySettings(paths, f, wanted, privateNetwork, imagePorts, engine, manifest);
            } catch (RuntimeException e) {
                try {
                    applySettings(paths, f, prepared, privateNetwork, imagePorts, engine, manifest);
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                    throw new BosunException(e instanceof BosunException b ? b.kind() : org.bosun.api.ErrorKind.INTERNAL,
                            e.getMessage() + "; restoring how pod " + f.uuid() + " was prepared failed too ("
                                    + undo.getMessage() + "); remove it with bosun rm " + f.uuid(), e);
                }
                throw e;
            }
        }
    }

    /** The pod's network, etc files, recorded options and engine files made anew for {@code options}. */
    private void applySettings(RuntimePaths paths, PodStore.Found f, PodOptions options, boolean privateNetwork,
            List<org.bosun.api.image.ImageManifest.Port> imagePorts, EngineRecordJson engine, PodManifestJson manifest) {
        network.tearDown(f.path(), f.uuid());
        files.writeJson(f.path().resolve(PodFiles.OPTIONS), options);
        network.setUp(paths, f.uuid(), f.path(), options, privateNetwork, imagePorts, PodNetwork.hostname(options, f.uuid()));
        PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
        try {
            org.bosun.host.files.FileTree.delete(pod.stage1Dir());
        } catch (IOException e) {
            throw BosunException.internal("cannot remove the engine files of pod " + f.uuid() + ": " + e.getMessage(), e);
        }
        services.withEngine(engine.name(), e -> {
            e.prepare(pod);
            return null;
        });
    }

    private static PodOptions withSettings(PodOptions prepared, LaunchSettings settings) {
        return new PodOptions(settings.hostname() != null ? settings.hostname() : prepared.hostname(),
                settings.networks().isEmpty() ? prepared.networks() : settings.networks(), prepared.ports(),
                settings.dns() != null ? settings.dns() : prepared.dns(), prepared.hostsEntries(), prepared.volumes(),
                prepared.environment(), prepared.inheritedEnvironment(),
                settings.interactive() != null ? settings.interactive() : prepared.interactive(),
                prepared.privateUsers(), prepared.noOverlay(), prepared.pullPolicy(), prepared.engineOptions(),
                prepared.ipc(), prepared.sysctls());
    }

    @Override
    public EngineCommand enter(RuntimePaths paths, String uuid, String app, List<String> command) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodState state = store.state(f);
        if (state != PodState.RUNNING) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + state.label() + "; only a running pod can be entered");
        }
        EngineRecordJson engine = engineOf(f);
        PodDirectory pod = files.podDirectory(f.uuid(), f.path(), files.manifest(f.path()));
        return services.withEngine(engine.name(), e -> e.enter(pod, app, command)).result();
    }

    @Override
    public void stop(RuntimePaths paths, String uuid, boolean force) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodState state = store.state(f);
        if (state != PodState.RUNNING) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + state.label() + ", not running");
        }
        long pid = files.pid(f.path());
        if (pid <= 0) {
            throw BosunException.precondition("pod " + f.uuid() + " is starting and has no pid yet; try again");
        }
        EngineRecordJson engine = engineOf(f);
        PodDirectory pod = files.podDirectory(f.uuid(), f.path(), files.manifest(f.path()));
        // The pod's process gone while the pod still runs: something killed bosun run (kill -9)
        // and what it started lives on. The engine then kills what is left through its cgroups.
        TestPauses.at(paths, TestPauses.STOP);
        boolean orphaned = ProcessHandle.of(pid).isEmpty();
        services.withEngine(engine.name(), e -> {
            e.stop(pod, pid, force);
            return null;
        });
        if (orphaned || force) {
            awaitEnd(f, pid, orphaned);
        }
    }

    /** How long stop waits for a pod it killed to release its lock. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /**
     * A kill ends a pod at once: one whose lock is still held after {@link #STOP_WAIT} was not
     * stopped, and saying so is the caller's only way to know (exit code 5, as for any pod in the
     * wrong state).
     */
    private static void awaitEnd(PodStore.Found f, long pid, boolean orphaned) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (PodLock.isHeld(f.path())) {
            if (System.nanoTime() > deadline) {
                throw BosunException.precondition("pod " + f.uuid() + " is still running " + STOP_WAIT.toSeconds()
                        + " s after it was killed" + (orphaned ? " (its process " + pid + " is gone)" : "")
                        + ": a process the engine could not reach holds its lock; fuser -v "
                        + f.path().resolve(PodLock.FILE_NAME) + " names it");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("interrupted while waiting for pod " + f.uuid() + " to end");
            }
        }
    }

    @Override
    public void remove(RuntimePaths paths, String uuid) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        if (f.dir() == PodStore.Dir.EMBRYO) {
            throw BosunException.precondition("pod " + f.uuid() + " is being created; try again in a moment");
        }
        try (PodLock lock = exclusiveUnlessRunning(f)) {
            if (lock == null) {
                throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label()
                        + "; stop it first (bosun stop " + f.uuid() + ")");
            }
            collect(paths, f);
        }
    }

    /**
     * The pod's lock, exclusively, or null while the pod holds it. A running pod holds it exclusively;
     * a shared holder is a short reader (a status probe, the event watch that wakes when a pod ends),
     * which must not make an rm right after a stop fail: a kubelet removes a sandbox the moment its
     * stop returns. So while the lock can be taken shared, rm waits for the readers (at most
     * {@link #STOP_WAIT}).
     */
    private static PodLock exclusiveUnlessRunning(PodStore.Found f) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (true) {
            PodLock lock = PodLock.tryExclusive(f.path());
            if (lock != null) {
                return lock;
            }
            try (PodLock reader = PodLock.tryShared(f.path())) {
                if (reader == null || System.nanoTime() > deadline) {
                    return null;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("interrupted while waiting for pod " + f.uuid() + "'s readers");
            }
        }
    }

    @Override
    public void export(RuntimePaths paths, String uuid, String app, Path file, boolean overwrite) {
        new PodExport(files, services).export(paths, uuid, app, file, overwrite);
    }

    @Override
    public GcReport gc(RuntimePaths paths, Duration gracePeriod, Duration expirePrepared, boolean markOnly) {
        PodStore store = new PodStore(paths.podsDir());
        List<String> marked = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Instant now = Instant.now();
        for (PodStore.Found f : store.all()) {
            try (PodLock lock = PodLock.tryExclusive(f.path())) {
                if (lock == null) {
                    continue; // preparing or running: someone owns it
                }
                switch (f.dir()) {
                    case RUN -> {
                        Path moved = store.move(f, PodStore.Dir.EXITED_GARBAGE);
                        files.writeText(moved.resolve(PodFiles.GC_MARKED), now + "\n");
                        marked.add(f.uuid());
                        if (gracePeriod.isZero() && !markOnly) {
                            collect(paths, new PodStore.Found(f.uuid(), PodStore.Dir.EXITED_GARBAGE, moved));
                            removed.add(f.uuid());
                        } else {
                            // The grace period keeps its files for a look, not its address and ports.
                            network.release(moved, f.uuid());
                        }
                    }
                    case PREPARE, EMBRYO -> {
                        Path moved = store.move(f, PodStore.Dir.GARBAGE);
                        if (markOnly) {
                            marked.add(f.uuid());
                        } else {
                            collect(paths, new PodStore.Found(f.uuid(), PodStore.Dir.GARBAGE, moved));
                            removed.add(f.uuid());
                        }
                    }
                    case PREPARED -> {
                        Instant created = files.instant(f.path().resolve(PodFiles.CREATED));
                        if (created == null || created.plus(expirePrepared).isBefore(now)) {
                            Path moved = store.move(f, PodStore.Dir.GARBAGE);
                            if (markOnly) {
                                marked.add(f.uuid());
                            } else {
                                collect(paths, new PodStore.Found(f.uuid(), PodStore.Dir.GARBAGE, moved));
                                removed.add(f.uuid());
                            }
                        }
                    }
                    case EXITED_GARBAGE -> {
                        Instant markedAt = files.instant(f.path().resolve(PodFiles.GC_MARKED));
                        if (!markOnly && (markedAt == null || !markedAt.plus(gracePeriod).isAfter(now))) {
                            collect(paths, f);
                            removed.add(f.uuid());
                        } else {
                            network.release(f.path(), f.uuid());
                        }
                    }
                    case GARBAGE -> {
                        if (!markOnly) {
                            collect(paths, f);
                            removed.add(f.uuid());
                        }
                    }
                }
            } catch (BosunException e) {
                failures.add(f.uuid() + ": " + e.getMessage());
            }
        }
        // Whatever --dir: a data directory removed by hand is named by no --dir any more.
        network.releaseOrphans(removed, failures);
        return new GcReport(marked, removed, failures);
    }

    /**
     * There is no daemon to see a pod exit: the first command that sees it exited releases its
     * network (addresses and port forwards go back to the host at once, not at gc).
     */
    private void releaseIfExited(PodStore store, PodStore.Found f) {
        if (f.dir() == PodStore.Dir.RUN) {
            network.releaseIfStopped(store, f);
        }
    }

    /** Lets the engine release what the pod holds, then deletes it. The caller holds the pod's lock. */
    private void collect(RuntimePaths paths, PodStore.Found f) {
        TestPauses.at(paths, TestPauses.COLLECT);
        EngineRecordJson engine;
        PodManifestJson manifest;
        try {
            engine = files.engine(f.path());
            manifest = files.manifest(f.path());
        } catch (BosunException damaged) {
            // Its engine cannot be told what it ran: gc's sweep of orphans finds the engine's
            // cgroups by the pod's name once its directory is gone.
            engine = null;
            manifest = null;
        }
        if (engine != null && manifest != null) {
            requireInstalled(engine, f.uuid());
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
            services.withEngine(engine.name(), e -> {
                e.gc(pod);
                return null;
            });
        }
        // The metadata service refuses the pod from now on, before its registration goes with the directory.
        network.forgetMetadata(f.uuid());
        // After the engine has let go of the pod's processes, before its records go with the directory.
        network.tearDown(f.path(), f.uuid());
        PodTree.delete(f.path(), f.uuid());
        // Last: a uid range freed while files owned by it remain could go to another pod.
        security.release(paths, f.uuid());
    }

    EngineRecordJson engineOf(PodStore.Found f) {
        EngineRecordJson engine = files.engine(f.path());
        if (engine == null) {
            throw BosunException.internal("pod " + f.uuid() + " has no stage1 record; it cannot be managed", null);
        }
        requireInstalled(engine, f.uuid());
        return engine;
    }

    /** The engine that prepared a pod, at the ABI it prepared it with, must be installed to manage it. */
    private void requireInstalled(EngineRecordJson engine, String uuid) {
        int installedAbi = services.engineAbi(engine.name());
        if (installedAbi < 0) {
            throw BosunException.unavailable("stage1 engine '" + engine.name() + "' that prepared pod " + uuid
                    + " is not installed; install its bundle");
        }
        if (installedAbi != engine.abiVersion()) {
            throw BosunException.unavailable("pod " + uuid + " needs stage1 engine '" + engine.name() + "' ABI "
                    + engine.abiVersion() + ", the installed one speaks ABI " + installedAbi);
        }
    }

    /** Null if the pod moved or vanished while being read. */
    private PodInfo info(PodStore store, PodStore.Found f) {
        PodState state = store.state(f);
        if (!Files.isDirectory(f.path())) {
            return null;
        }
        PodManifestJson manifest;
        String damage = null;
        try {
            manifest = files.manifest(f.path());
        } catch (BosunException unreadable) {
            // One damaged pod must not hide the others (list) or itself (status, rm, gc).
            manifest = null;
            damage = unreadable.getMessage();
        }
        if (manifest == null && !Files.isDirectory(f.path())) {
            return null; // moved meanwhile: its manifest is where it went
        }
        List<AppInfo> apps = new ArrayList<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (manifest != null) {
            for (PodManifestJson.RuntimeApp app : manifest.apps()) {
                Integer exitCode = files.appExitCode(f.path(), app.name());
                Instant appStarted = files.appStarted(f.path(), app.name());
                apps.add(new AppInfo(app.name(), app.image().name(), app.image().id(), app.app().exec(), exitCode,
                        AppStates.of(state, appStarted != null, exitCode != null), appStarted,
                        app.app().userAnnotations(), app.app().userLabels()));
            }
            if (manifest.annotations() != null) {
                manifest.annotations().forEach(nv -> annotations.put(nv.name(), nv.value()));
            }
        }
        EngineRecordJson engine;
        try {
            engine = files.engine(f.path());
        } catch (BosunException unreadable) {
            engine = null;
            damage = damage == null ? unreadable.getMessage() : damage;
        }
        EngineRecord engineRecord = engine == null ? null
                : new EngineRecord(engine.name(), engine.bundleVersion(), engine.abiVersion());
        long pid = state == PodState.RUNNING ? files.pid(f.path()) : 0;
        Instant started = files.started(f.path());
        return new PodInfo(f.uuid(), state, apps, files.instant(f.path().resolve(PodFiles.CREATED)), started, pid,
                engineRecord, annotations, f.path(), PodNetwork.attachments(f.path()),
                security.protectionsOff(f.path(), manifest), manifest == null ? null : manifest.userAnnotations(),
                manifest == null ? null : manifest.userLabels(), damage);
    }
}
