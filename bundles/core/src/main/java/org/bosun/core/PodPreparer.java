package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImagePin;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PrepareRequest;
import org.bosun.api.stage1.EngineCapabilities;

/**
 * Prepares one pod: embryo → prepare (locked) → prepared. If anything fails the pod directory is
 * removed before the error is reported; if the process is killed, the pod stays in prepare/ with
 * no lock held, which gc recognises as an aborted preparation.
 */
final class PodPreparer {
    /** The appc executor's default PATH. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Pattern AC_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    /**
     * appc sets an ACName no length, but an app's name becomes file names (its directory, its output
     * pipes), container ids and unit names ({@code pre-start-NAME}, {@code app-NAME.service}), each at
     * most 255 bytes: well within that.
     */
    static final int MAX_APP_NAME = 200;

    private final PodFiles files;
    private final ServiceLookup services;
    private final PodNetwork network;
    private final PodSecurity security;

    PodPreparer(PodFiles files, ServiceLookup services) {
        this.files = files;
        this.services = services;
        this.network = new PodNetwork(services, files);
        this.security = new PodSecurity(services, files);
    }

    String prepare(RuntimePaths paths, PrepareRequest request, org.bosun.api.image.Progress progress) {
        return prepare(paths, request, progress, false);
    }

    /** With {@code sandbox}, a pod with no apps (see AppService#sandbox), which the engine must support. */
    String prepare(RuntimePaths paths, PrepareRequest request, org.bosun.api.image.Progress progress, boolean sandbox) {
        if (sandbox) {
            if (!request.apps().isEmpty()) {
                throw BosunException.invalid("a sandbox starts with no apps; add them with bosun app add");
            }
            String engineName = request.stage1Name();
            boolean appOperations = services.withEngine(engineName, e -> e instanceof org.bosun.api.app.AppLifecycle)
                    .result();
            if (!appOperations) {
                throw AppOperations.unsupported(engineName);
            }
            Map<String, String> annotations = new LinkedHashMap<>(request.annotations());
            annotations.put(org.bosun.api.app.AppLifecycle.EXIT_POLICY, org.bosun.api.app.AppLifecycle.EXIT_POLICY_NEVER);
            request = new PrepareRequest(request.apps(), request.stage1Name(), request.insecureOptions(), annotations,
                    request.options(), request.userAnnotations(), request.userLabels());
        } else if (request.apps().isEmpty()) {
            throw BosunException.invalid("no image given; name at least one image to run");
        }
        String engineName = request.stage1Name();
        EngineCapabilities caps = services.withEngine(engineName, e -> e.capabilities()).result();
        if (request.apps().size() > caps.maxApps()) {
            throw BosunException.invalid("stage1 engine '" + engineName + "' runs at most " + caps.maxApps()
                    + " app(s) per pod, " + request.apps().size() + " were given; choose another engine with --stage1-name");
        }
        request = withIpc(request, engineName, caps);
        PhaseClock clock = new PhaseClock();
        network.check(engineName, caps.privateNetwork(), request.options());
        PodSysctls.check(engineName, caps.isolated(), PodNetwork.isHost(PodNetwork.networks(request.options(),
                caps.privateNetwork())), request.options(), PodSysctls.PROC_SYS);
        PodVolumes volumes = PodVolumes.check(request.options(), request.apps());
        PodStore store = new PodStore(paths.podsDir());
        store.ensureLayout();
        String uuid = UUID.randomUUID().toString();
        Path embryo = store.path(PodStore.Dir.EMBRYO, uuid);
        try {
            Files.createDirectory(embryo);
        } catch (IOException e) {
            throw BosunException.internal("cannot create pod directory " + embryo + ": " + e.getMessage(), e);
        }
        Path podDir = embryo;
        // The pin holds each image from its choice until the pod's manifest names it (see ImagePin).
        try (PodLock lock = PodLock.create(embryo);
                ImagePin pin = services.withImageStore(s -> s.pin(paths))) {
            files.writeText(embryo.resolve(PodFiles.CREATED), Instant.now().toString() + "\n");
            podDir = store.move(new PodStore.Found(uuid, PodStore.Dir.EMBRYO, embryo), PodStore.Dir.PREPARE);
            List<ImageManifest.Port> imagePorts = new ArrayList<>();
            if (sandbox) {
                security.recordSandbox(paths, request, podDir);
            }
            clock.lap("pod dir");
            PodManifestJson manifest = renderApps(paths, request, podDir, imagePorts, volumes, progress, clock, pin);
            PodVolumes.createEmptyVolumes(podDir, manifest, files.userNamespace(podDir, manifest));
            volumes.seedImplicitVolumes(podDir);
            files.writeJson(podDir.resolve(PodFiles.MANIFEST), manifest);
            files.appendNotes(podDir, volumes.notes());
            files.appendNotes(podDir, security.inactiveModules(paths));
            if (request.options().privateUsers() && !request.options().noOverlay()) {
                files.appendNotes(podDir, List.of("--private-users: the apps' rootfs are copies of their images (as with"
                        + " --no-overlay), with owners shifted into the pod's host uid/gid range"));
            }
            files.writeJson(podDir.resolve(PodFiles.OPTIONS), request.options());
            files.writeJson(podDir.resolve(PodFiles.IMAGE_PORTS), imagePorts);
            clock.lap("manifest");
            network.setUp(paths, uuid, podDir, request.options(), caps.privateNetwork(), imagePorts,
                    PodNetwork.hostname(request.options(), uuid));
            clock.lap("network");
            TestPauses.at(paths, TestPauses.PREPARE_NETWORK);
            Path finalDir = podDir;
            ServiceLookup.EngineUse<Void> use = services.withEngine(engineName, engine -> {
                engine.prepare(files.podDirectory(uuid, finalDir, manifest));
                return null;
            });
            files.writeJson(podDir.resolve(PodFiles.ENGINE),
                    new EngineRecordJson(engineName, use.bundleVersion(), use.abiVersion()));
            clock.lap("engine " + engineName);
            files.appendNotes(podDir, List.of(clock.summary()));
            checkNotCancelled(uuid);
            store.move(new PodStore.Found(uuid, PodStore.Dir.PREPARE, podDir), PodStore.Dir.PREPARED);
            return uuid;
        } catch (RuntimeException e) {
            // An interrupt would also fail the clean-up's own file operations; it has done its job.
            boolean cancelled = Thread.interrupted();
            try {
                network.tearDown(podDir, uuid);
            } catch (RuntimeException undo) {
                // The pod stays in prepare/, unlocked: gc detaches it once that can work again.
                e.addSuppressed(undo);
                throw new BosunException(e instanceof BosunException b ? b.kind() : org.bosun.api.ErrorKind.INTERNAL,
                        e.getMessage() + "; detaching its networks failed too (" + undo.getMessage()
                                + "); run bosun gc to retry", e);
            }
            PodTree.delete(podDir, uuid);
            // After the files owned by its ids are gone: a uid range freed earlier could go to another pod.
            try {
                security.release(paths, uuid);
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            if (cancelled) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /**
     * The request with its {@code --ipc} resolved for the engine, as the pod records it: {@code auto}
     * is a namespace of the pod's own on an isolating engine, as in rkt, and the host's on one that
     * isolates nothing (fly), which cannot give a pod one.
     */
    static PrepareRequest withIpc(PrepareRequest request, String engineName, EngineCapabilities caps) {
        String ipc = request.options().ipc();
        String resolved = switch (ipc) {
            case PodOptions.IPC_AUTO -> caps.isolated() ? PodOptions.IPC_PRIVATE : PodOptions.IPC_PARENT;
            case PodOptions.IPC_PRIVATE, PodOptions.IPC_PARENT -> ipc;
            default -> throw BosunException.invalid("--ipc=" + ipc + " is not auto, private or parent");
        };
        if (resolved.equals(PodOptions.IPC_PRIVATE) && !caps.isolated()) {
            throw BosunException.invalid("--ipc=private: stage1 engine '" + engineName + "' runs apps in the host's"
                    + " namespaces and cannot give the pod an IPC namespace; leave out --ipc, or choose an isolating"
                    + " engine (nspawn, oci) with --stage1-name");
        }
        return new PrepareRequest(request.apps(), request.stage1Name(), request.insecureOptions(), request.annotations(),
                request.options().withIpc(resolved), request.userAnnotations(), request.userLabels());
    }

    /** The agent interrupts a command whose client hung up; the pod it was preparing goes too. */
    private static void checkNotCancelled(String uuid) {
        if (Thread.currentThread().isInterrupted()) {
            throw BosunException.precondition("preparing pod " + uuid + " was cancelled: the bosun command went away");
        }
    }

    private PodManifestJson renderApps(RuntimePaths paths, PrepareRequest request, Path podDir,
            List<ImageManifest.Port> imagePorts, PodVolumes volumes, org.bosun.api.image.Progress progress,
            PhaseClock clock, ImagePin pin) {
        List<PodManifestJson.RuntimeApp> apps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        FetchOptions fetch = new FetchOptions(paths, request.insecureOptions(), request.options().pullPolicy(), progress);
        for (AppRequest app : request.apps()) {
            apps.add(renderApp(paths, request, app, podDir, imagePorts, volumes, fetch, clock, pin, names, null));
        }
        List<PodManifestJson.NameValue> annotations = new ArrayList<>();
        request.annotations().forEach((k, v) -> annotations.add(new PodManifestJson.NameValue(k, v)));
        return new PodManifestJson(PodManifestJson.AC_VERSION, PodManifestJson.AC_KIND, apps, volumes.manifestVolumes(), List.of(),
                annotations, List.of(), request.userAnnotations().isEmpty() ? null : request.userAnnotations(),
                request.userLabels().isEmpty() ? null : request.userLabels());
    }

    /**
     * Fetches (or finds) one app's image, renders its tree, makes its rootfs in {@code apps/NAME} and
     * records its security policy: the one way an app is prepared, for {@code run} and {@code app add}.
     * {@code names} holds the names taken; {@code addingTo} is the pod an app is added to (a name
     * taken there is ALREADY_EXISTS), null while a whole pod is prepared.
     */
    private PodManifestJson.RuntimeApp renderApp(RuntimePaths paths, PrepareRequest request, AppRequest app, Path podDir,
            List<ImageManifest.Port> imagePorts, PodVolumes volumes, FetchOptions fetch, PhaseClock clock, ImagePin pin,
            Set<String> names, String addingTo) {
        ImageReference ref = ImageReference.parse(app.image(), Path.of("/"));
        FetchOptions appFetch = fetch;
        if (app.signature() != null) {
            if (!ref.verifiedByDetachedSignature()) {
                throw BosunException.invalid("--signature of image " + app.image() + ": a signature file verifies"
                        + " an ACI (a file, URL or appc name); this image is verified by its own format's rules");
            }
            appFetch = new FetchOptions(fetch.paths(), fetch.insecureOptions(), fetch.pullPolicy(),
                    fetch.progress(), Path.of(app.signature()));
        }
        FetchOptions imageFetch = appFetch;
        return services.withImageStore(store -> {
            // A signature given for the image: it is fetched (and verified) with it, not taken from the store.
            StoredImage image = pin.hold(() -> (app.signature() != null ? java.util.Optional.<StoredImage>empty()
                    : StoredImageLookup.find(store, paths, ref, fetch.pullPolicy()))
                    .orElseGet(() -> services.withImageFormat(ref.scheme(), ref.location(),
                            format -> format.fetch(ref, imageFetch, store))));
            clock.lap("image");
            ImagePlatform.check(image.manifest(), app.image());
            TestPauses.at(paths, TestPauses.PREPARE_IMAGE);
            checkNotCancelled(podDir.getFileName().toString());
            // For image list and gc's grace period; the pin is what keeps the image and its tree now.
            store.markUsed(paths, image.id());
            Path tree = store.tree(paths, image, (stored, dir) -> services.withImageFormatNamed(stored.format(),
                    format -> {
                        format.render(stored, store, paths, dir);
                        return null;
                    }));
            clock.lap("tree");
            ImageManifest manifest = image.manifest();
            imagePorts.addAll(manifest.ports());
            String name = appName(app, manifest);
            if (!names.add(name)) {
                if (addingTo != null) {
                    throw new BosunException(org.bosun.api.ErrorKind.ALREADY_EXISTS, "pod " + addingTo
                            + " already has an app named '" + name + "'; give another name with --name");
                }
                throw BosunException.invalid("two apps are named '" + name + "'; give each a distinct --name");
            }
            Path appDir = podDir.resolve("apps").resolve(name);
            checkNotCancelled(podDir.getFileName().toString());
            // A private-users pod's rootfs gets its owners shifted: the store's shared tree cannot be a lower layer.
            boolean copy = request.options().noOverlay() || request.options().privateUsers();
            AppRootfs.create(appDir, tree, copy);
            // Before the user namespace module shifts a copy's owners: the pod's root owns what is made.
            AppRootfs.makeWorkingDirectory(appDir, tree, copy, workingDirectory(app, manifest, name), name);
            clock.lap("rootfs");
            security.record(paths, request, app, manifest, name, podDir);
            clock.lap("security");
            checkNotCancelled(podDir.getFileName().toString());
            // Users and groups are names in the image: resolved against its tree.
            PodManifestJson.RuntimeApp runtime = runtimeApp(request.options(), app, manifest, image.id(), name, tree)
                    .withMounts(volumes.mounts(app, manifest, name, tree));
            ImageExecutables.check(tree, runtime.app().exec().get(0),
                    runtime.mounts().stream().map(PodManifestJson.Mount::path).toList(), name, manifest.name());
            return runtime;
        });
    }

    /**
     * Prepares {@code app} into the sandbox {@code podDir} exactly as {@link #prepare} prepares the
     * apps of a pod, with the pod's recorded options (pull policy, volumes, user namespace). Returns
     * the pod's manifest with the app (and any volume its image implies) added, for the caller to let
     * the engine add it and then write. The caller holds the pod's apps lock, and {@code pin} until the
     * manifest names the image; it removes {@code apps/NAME} if anything after fails. If this fails,
     * it leaves nothing of the app.
     */
    PodManifestJson addApp(RuntimePaths paths, String uuid, Path podDir, PodManifestJson manifest, String engineName,
            AppRequest app, List<PodOptions.VolumeSpec> ownVolumes, Set<org.bosun.api.InsecureOption> insecureOptions,
            org.bosun.api.image.Progress progress, ImagePin pin) {
        PodOptions options = files.options(podDir);
        PrepareRequest request = new PrepareRequest(List.of(app), engineName, insecureOptions, Map.of(), options, null,
                null);
        if (manifest.volumes() != null) {
            for (PodOptions.VolumeSpec v : ownVolumes) {
                if (manifest.volumes().stream().anyMatch(m -> m.name().equals(v.name()))) {
                    throw new BosunException(org.bosun.api.ErrorKind.ALREADY_EXISTS, "pod " + uuid
                            + " already has a volume named '" + v.name() + "'; give the app's volume another name");
                }
            }
        }
        PodVolumes volumes = PodVolumes.check(options, ownVolumes, List.of(app));
        FetchOptions fetch = new FetchOptions(paths, insecureOptions, options.pullPolicy(), progress);
        Set<String> names = new HashSet<>();
        manifest.apps().forEach(a -> names.add(a.name()));
        if (app.name() != null && names.contains(app.name())) {
            throw new BosunException(org.bosun.api.ErrorKind.ALREADY_EXISTS, "pod " + uuid + " already has an app named '"
                    + app.name() + "'; give another name with --name");
        }
        Path appsDir = podDir.resolve("apps");
        Set<String> listed = Set.copyOf(names);
        // what an interrupted add left behind: under the apps lock no other add is making it
        RuntimeException leftovers = new RuntimeException("leftovers");
        removeUnlisted(appsDir, listed, leftovers);
        if (leftovers.getSuppressed().length > 0) {
            throw BosunException.internal("cannot remove what an interrupted add left in " + appsDir + ": "
                    + leftovers.getSuppressed()[0].getMessage(), leftovers.getSuppressed()[0]);
        }
        PodManifestJson.RuntimeApp added;
        try {
            added = renderApp(paths, request, app, podDir, new ArrayList<>(), volumes, fetch, new PhaseClock(), pin,
                    names, uuid);
        } catch (RuntimeException e) {
            // What renderApp made of an app whose name was free is removed; a taken name's app stays.
            if (e instanceof BosunException b && b.kind() == org.bosun.api.ErrorKind.ALREADY_EXISTS) {
                throw e;
            }
            removeUnlisted(appsDir, listed, e);
            throw e;
        }
        List<PodManifestJson.RuntimeApp> apps = new ArrayList<>(manifest.apps());
        apps.add(added);
        Map<String, PodManifestJson.Volume> allVolumes = new LinkedHashMap<>();
        if (manifest.volumes() != null) {
            manifest.volumes().forEach(v -> allVolumes.put(v.name(), v));
        }
        for (PodManifestJson.Volume v : volumes.manifestVolumes()) {
            allVolumes.putIfAbsent(v.name(), v);
        }
        // A volume no app used yet has no directory (a sandbox starts with none); one that has keeps
        // what its apps did to it.
        List<PodManifestJson.Volume> fresh = allVolumes.values().stream()
                .filter(v -> !Files.isDirectory(podDir.resolve(PodVolumes.DIR).resolve(v.name()))).toList();
        PodVolumes.createEmptyVolumes(podDir, new PodManifestJson(manifest.acVersion(), manifest.acKind(),
                List.of(added), fresh, List.of(), List.of(), List.of()), files.userNamespace(podDir, manifest));
        return new PodManifestJson(manifest.acVersion(), manifest.acKind(), apps, new ArrayList<>(allVolumes.values()),
                manifest.isolators(), manifest.annotations(), manifest.ports(), manifest.userAnnotations(),
                manifest.userLabels());
    }

    /** Holds each image an add chooses until the pod's manifest names it (see ImagePin). */
    ImagePin pin(RuntimePaths paths) {
        return services.withImageStore(s -> s.pin(paths));
    }

    /** Deletes every {@code apps/} entry the manifest does not list: what a failed add made. */
    private static void removeUnlisted(Path appsDir, Set<String> listed, RuntimeException failure) {
        try (var entries = Files.list(appsDir)) {
            for (Path p : entries.toList()) {
                if (!listed.contains(p.getFileName().toString())) {
                    org.bosun.host.files.FileTree.delete(p);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing was made
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** The app's working directory: as asked, else its image's, else {@code /}; absolute. */
    private static String workingDirectory(AppRequest app, ImageManifest image, String name) {
        String workingDir = app.workingDirectory() != null ? app.workingDirectory() : image.workingDirectory();
        if (workingDir == null || workingDir.isEmpty()) {
            return "/";
        }
        if (!workingDir.startsWith("/") || workingDir.indexOf('\0') >= 0) {
            throw BosunException.invalid("working directory '" + workingDir + "' of app " + name + " is not absolute");
        }
        return workingDir;
    }

    private static PodManifestJson.RuntimeApp runtimeApp(PodOptions pod, AppRequest app, ImageManifest image,
            String imageId, String name, Path rootfs) {
        List<String> exec = new ArrayList<>(app.exec().isEmpty() ? image.exec() : app.exec());
        exec.addAll(app.args());
        if (exec.isEmpty()) {
            throw BosunException.invalid("image " + app.image() + " has no command to run; give one with --exec");
        }
        String user = app.user() != null ? app.user() : image.user();
        String group = app.group() != null ? app.group() : image.group();
        int uid = ImageAccounts.uid(rootfs, user, app.image());
        // Docker's User "name" without a group runs with the user's primary group, as docker does.
        int gid = group == null || group.isEmpty() ? ImageAccounts.primaryGid(rootfs, user, app.image())
                : ImageAccounts.gid(rootfs, group, app.image());
        String workingDir = workingDirectory(app, image, name);
        Map<String, String> env = appEnvironment(pod, app, image, name);
        if (!exec.get(0).startsWith("/")) {
            // As rkt did (and docker does): a bare name is looked up in the app's PATH inside its image.
            String command = exec.get(0);
            exec.set(0, ImageExecutables.find(rootfs, command, env.get("PATH"), workingDir)
                    .orElseThrow(() -> BosunException.invalid("the command '" + command + "' of app " + name
                            + " is not in its image's PATH (" + env.get("PATH")
                            + "); give the full path with --exec, or set PATH with --environment")));
        }
        List<PodManifestJson.NameValue> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(new PodManifestJson.NameValue(k, v)));
        List<PodManifestJson.NameValue> labels = new ArrayList<>();
        image.labels().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> labels.add(new PodManifestJson.NameValue(e.getKey(), e.getValue())));
        return new PodManifestJson.RuntimeApp(name, new PodManifestJson.RuntimeImage(image.name(), imageId, labels),
                new PodManifestJson.App(exec, Integer.toString(uid), Integer.toString(gid), workingDir, envList,
                        supplementaryGids(image, app, rootfs, user, uid, gid), AppIsolators.isolators(
                                AppIsolators.withImages(app.settings().resources(), image, name)),
                        AppIsolators.eventHandlers(image, name), nullIfEmpty(app.settings().userAnnotations()),
                        nullIfEmpty(app.settings().userLabels())),
                app.settings().readonlyRootfs(), List.of(), List.of());
    }

    /**
     * The app's supplementary groups ({@link AppIsolators#supplementaryGids}) and, as docker and
     * containerd give them to every engine's containers alike, the groups the image's /etc/group lists
     * its user in ({@link ImageAccounts#memberGids}); each once; null for none.
     */
    private static List<Integer> supplementaryGids(ImageManifest image, AppRequest app, Path rootfs, String user, int uid,
            int gid) {
        List<Integer> given = AppIsolators.supplementaryGids(image, app);
        java.util.LinkedHashSet<Integer> gids = new java.util.LinkedHashSet<>(given == null ? List.of() : given);
        gids.addAll(ImageAccounts.memberGids(rootfs, user, uid, gid));
        return gids.isEmpty() ? null : new ArrayList<>(gids);
    }

    /** appc leaves out an empty {@code userAnnotations} or {@code userLabels}. */
    private static Map<String, String> nullIfEmpty(Map<String, String> map) {
        return map.isEmpty() ? null : map;
    }

    /**
     * rkt's precedence, later winning: the caller's environment ({@code --inherit-env}), the appc
     * default PATH, the image's environment, {@code --set-env-file}, {@code --set-env}, the app's
     * {@code --environment}; {@code AC_APP_NAME} always names the app.
     */
    static Map<String, String> appEnvironment(PodOptions pod, AppRequest app, ImageManifest image, String name) {
        Map<String, String> env = new LinkedHashMap<>(pod.inheritedEnvironment());
        env.put("PATH", DEFAULT_PATH);
        env.putAll(image.environment());
        env.putAll(pod.environment());
        env.putAll(app.environment());
        env.put("AC_APP_NAME", name);
        return env;
    }

    /** {@code --name}, or the last part of the image name, as an appc ACName. */
    static String appName(AppRequest app, ImageManifest image) {
        if (app.name() != null) {
            if (!AC_NAME.matcher(app.name()).matches()) {
                throw BosunException.invalid("app name '" + app.name()
                        + "' is not valid; use lower case letters, digits and single dashes");
            }
            if (app.name().length() > MAX_APP_NAME) {
                throw BosunException.invalid("app name '" + app.name().substring(0, 20) + "...' is "
                        + app.name().length() + " characters long; give a name of at most " + MAX_APP_NAME
                        + " with --name");
            }
            return app.name();
        }
        String base = image.name();
        int slash = base.lastIndexOf('/');
        base = base.substring(slash + 1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (base.length() > MAX_APP_NAME) {
            base = base.substring(0, MAX_APP_NAME).replaceAll("-+$", "");
        }
        return base.isEmpty() ? "app" : base;
    }
}
