package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.EngineRecord;
import org.bosun.api.pod.GcReport;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodLaunch;
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
@Component(service = PodService.class)
public final class PodServiceImpl implements PodService {
    private final PodFiles files = new PodFiles();
    private final ServiceLookup services;
    private final PodPreparer preparer;
    private final PodNetwork network;
    private final PodSecurity security;

    @Activate
    public PodServiceImpl(@Reference ProviderRegistry providers) {
        this.services = new ServiceLookup(providers);
        this.preparer = new PodPreparer(files, services);
        this.network = new PodNetwork(services, files);
        this.security = new PodSecurity(services, files);
    }

    @Override
    public PodInfo prepare(RuntimePaths paths, PrepareRequest request) {
        return prepare(paths, request, org.bosun.api.image.Progress.NONE);
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
            PodInfo info = info(store, f);
            if (info != null) {
                pods.add(info);
            }
        }
        pods.sort(Comparator.comparing((PodInfo p) -> p.created() == null ? Instant.EPOCH : p.created())
                .thenComparing(PodInfo::uuid));
        return pods;
    }

    @Override
    public PodInfo status(RuntimePaths paths, String uuid) {
        PodStore store = new PodStore(paths.podsDir());
        // A pod can move between directories while it is read; look again if it did.
        for (int attempt = 0; attempt < 5; attempt++) {
            PodInfo info = info(store, store.find(uuid));
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
    public PodLaunch launch(RuntimePaths paths, String uuid) {
        try (CgroupMigrationPrimer primer = CgroupMigrationPrimer.start()) {
            PodLaunch launch = launchPrepared(paths, uuid);
            primer.linger();
            return launch;
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
        PodStore.Found f = store.find(uuid);
        if (f.dir() != PodStore.Dir.PREPARED) {
            throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label()
                    + ", not prepared; only a prepared pod can be run");
        }
        PodManifestJson manifest = files.manifest(f.path());
        EngineRecordJson engine = engineOf(f);
        Path runDir = store.path(PodStore.Dir.RUN, f.uuid());
        PodDirectory pod = files.podDirectory(f.uuid(), runDir, manifest);
        ServiceLookup.EngineUse<EngineCommand> run = services.withEngine(engine.name(), e -> e.run(pod));
        EngineCommand command = run.result();
        // Measured where it lies now: the run directory does not exist until the caller moves the pod.
        security.measure(new org.bosun.api.security.PodMeasurement(paths,
                files.podDirectory(f.uuid(), f.path(), manifest), f.path().resolve(PodFiles.MANIFEST), engine.name(),
                run.bundleVersion(), command));
        return new PodLaunch(f.uuid(), f.path(), runDir, PodLock.FILE_NAME, PodFiles.PID, command);
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
        services.withEngine(engine.name(), e -> {
            e.stop(pod, pid, force);
            return null;
        });
    }

    @Override
    public void remove(RuntimePaths paths, String uuid) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        if (f.dir() == PodStore.Dir.EMBRYO) {
            throw BosunException.precondition("pod " + f.uuid() + " is being created; try again in a moment");
        }
        try (PodLock lock = PodLock.tryExclusive(f.path())) {
            if (lock == null) {
                throw BosunException.precondition("pod " + f.uuid() + " is " + store.state(f).label()
                        + "; stop it first (bosun stop " + f.uuid() + ")");
            }
            collect(paths, f);
        }
    }

    @Override
    public GcReport gc(RuntimePaths paths, Duration gracePeriod, Duration expirePrepared) {
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
                        if (gracePeriod.isZero()) {
                            collect(paths, new PodStore.Found(f.uuid(), PodStore.Dir.EXITED_GARBAGE, moved));
                            removed.add(f.uuid());
                        }
                    }
                    case PREPARE, EMBRYO -> {
                        Path moved = store.move(f, PodStore.Dir.GARBAGE);
                        collect(paths, new PodStore.Found(f.uuid(), PodStore.Dir.GARBAGE, moved));
                        removed.add(f.uuid());
                    }
                    case PREPARED -> {
                        Instant created = files.instant(f.path().resolve(PodFiles.CREATED));
                        if (created == null || created.plus(expirePrepared).isBefore(now)) {
                            Path moved = store.move(f, PodStore.Dir.GARBAGE);
                            collect(paths, new PodStore.Found(f.uuid(), PodStore.Dir.GARBAGE, moved));
                            removed.add(f.uuid());
                        }
                    }
                    case EXITED_GARBAGE -> {
                        Instant markedAt = files.instant(f.path().resolve(PodFiles.GC_MARKED));
                        if (markedAt == null || !markedAt.plus(gracePeriod).isAfter(now)) {
                            collect(paths, f);
                            removed.add(f.uuid());
                        }
                    }
                    case GARBAGE -> {
                        collect(paths, f);
                        removed.add(f.uuid());
                    }
                }
            } catch (BosunException e) {
                failures.add(f.uuid() + ": " + e.getMessage());
            }
        }
        return new GcReport(marked, removed, failures);
    }

    /** Lets the engine release what the pod holds, then deletes it. The caller holds the pod's lock. */
    private void collect(RuntimePaths paths, PodStore.Found f) {
        EngineRecordJson engine = files.engine(f.path());
        PodManifestJson manifest = files.manifest(f.path());
        if (engine != null && manifest != null) {
            requireInstalled(engine, f.uuid());
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
            services.withEngine(engine.name(), e -> {
                e.gc(pod);
                return null;
            });
        }
        // After the engine has let go of the pod's processes, before its records go with the directory.
        network.tearDown(f.path(), f.uuid());
        PodTree.delete(f.path(), f.uuid());
        // Last: a uid range freed while files owned by it remain could go to another pod.
        security.release(paths, f.uuid());
    }

    private EngineRecordJson engineOf(PodStore.Found f) {
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
        PodManifestJson manifest = files.manifest(f.path());
        List<AppInfo> apps = new ArrayList<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (manifest != null) {
            for (PodManifestJson.RuntimeApp app : manifest.apps()) {
                Integer exitCode = files.appExitCode(f.path(), app.name());
                Instant appStarted = files.appStarted(f.path(), app.name());
                apps.add(new AppInfo(app.name(), app.image().name(), app.image().id(), app.app().exec(), exitCode,
                        AppStates.of(state, appStarted != null, exitCode != null), appStarted));
            }
            if (manifest.annotations() != null) {
                manifest.annotations().forEach(nv -> annotations.put(nv.name(), nv.value()));
            }
        }
        EngineRecordJson engine = files.engine(f.path());
        EngineRecord engineRecord = engine == null ? null
                : new EngineRecord(engine.name(), engine.bundleVersion(), engine.abiVersion());
        long pid = state == PodState.RUNNING ? files.pid(f.path()) : 0;
        Instant started = files.started(f.path());
        return new PodInfo(f.uuid(), state, apps, files.instant(f.path().resolve(PodFiles.CREATED)), started, pid,
                engineRecord, annotations, f.path(), PodNetwork.attachments(f.path()),
                security.protectionsOff(f.path(), manifest));
    }
}
