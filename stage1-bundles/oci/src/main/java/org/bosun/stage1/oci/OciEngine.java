package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.app.AppLifecycle;
import org.bosun.api.stage1.EngineCapabilities;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.host.cgroup.CgroupTree;
import org.bosun.stage1.rules.AppNames;
import org.bosun.stage1.rules.EtcMountPoints;
import org.bosun.stage1.rules.ProcessCgroups;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The oci engine: pods as shared namespaces, the way containerd and CRI-O run them, with runc or
 * crun ({@code --stage1-option=runtime=crun}, default runc). Each app is an OCI container of its
 * own that joins the pod's network, IPC and UTS namespaces, with its own PID, mount and cgroup
 * namespaces and rootfs; with {@code --stage1-option=pid=pod} the apps share one PID namespace
 * instead, whose PID 1 the supervisor starts (see {@link ContainerSpecs#sharesPid}), with
 * {@code pid=host} they are in the host's ({@link ContainerSpecs#hostPid}). The pod's process is a POSIX shell supervisor (see
 * {@link SupervisorScript}) that holds the IPC and UTS namespaces itself (a pod with a user namespace
 * has an infra container for them, see {@link NamespaceOpts}), so no JVM stays in the pod's tree
 * and the caller's cgroup holds the pod.
 *
 * <pre>
 * engine/runtime              the runtime's name and binary, chosen at prepare
 * engine/run, engine/supervise  the pod's process: constant scripts (see {@link SupervisorScript})
 * engine/plan                 what they do for this pod ({@link PodPlan})
 * engine/bundles/ID/          one OCI bundle per container: app-NAME, pre-start-NAME, post-stop-NAME, [infra];
 *                             config.json, or with an infra container or a shared PID namespace config.json.in,
 *                             which the supervisor completes
 * engine/infra-rootfs/        the infra container's root, if it has one: the host's /usr, read-only
 * engine/runtime-state/       the runtime's --root: nothing of the pod goes to /run/runc or /run/crun
 * engine/io/                  the apps' output pipes
 * engine/exec/                the process specs of bosun enter, one per call, each removed a minute later
 * engine/cgroups, engine/pid  written when the pod runs: its cgroups (for gc) and the supervisor's pid
 * engine/cgroups.fstab        the cgroup hierarchies the supervisor mounts in its cgroup namespace
 * engine/watch                the pipe whose end tells the supervisor's watcher that the pod's process died
 * </pre>
 */
@Component(service = {Stage1Engine.class, AppLifecycle.class})
@Stage1EngineService(name = "oci", abiVersion = 1,
        description = "runc or crun, one container per app, joining the pod's namespaces")
public final class OciEngine implements Stage1Engine, AppLifecycle {
    static final String UNSHARE = SupervisorScript.UNSHARE;
    static final String NSENTER = "/usr/bin/nsenter";
    /** Picks the entered process's spec by whether stdin is a terminal ($1 with one, $2 without), for container $3. */
    static final String CHOOSE_TERMINAL = "if [ -t 0 ]; then p=$1; else p=$2; fi; id=$3; shift 3; exec \"$@\" --process \"$p\" \"$id\"";
    static final List<String> TOOLS = List.of(SupervisorScript.SH, UNSHARE, NSENTER, SupervisorScript.AWK,
            "/usr/bin/mkfifo", "/usr/bin/mount", "/usr/bin/umount", "/usr/bin/sleep");
    static final int MAX_APPS = 1024;
    static final String RUNTIME_OPTION = "runtime";
    static final String STOP_TIMEOUT_OPTION = "stop-timeout";
    static final int DEFAULT_STOP_TIMEOUT_SECONDS = 10;
    static final String RUNTIME_RECORD = "runtime";
    static final String PID_RECORD = "pid";
    /** The pod's own pid file (the core's PodFiles.PID): its process as its launcher recorded it. */
    static final String POD_PID = "pid";
    /** How long an app operation waits for the supervisor of a pod that is starting. */
    static final Duration SUPERVISOR_WAIT = Duration.ofSeconds(10);
    static final String STATE_DIR = "runtime-state";
    static final String IO_DIR = "io";
    static final String INFRA_ROOTFS = "infra-rootfs";
    static final String EXEC_DIR = "exec";
    static final long EXEC_FILE_MILLIS = 60_000;
    static final List<String> HANDLERS = List.of("pre-start", "post-stop");

    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final List<String> PATH_ENV = List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public EngineCapabilities capabilities() {
        return new EngineCapabilities(MAX_APPS, true, true);
    }

    @Override
    public void prepare(PodDirectory pod) {
        Map<String, String> options = pod.settings().engineOptions();
        for (String key : options.keySet()) {
            if (!key.equals(RUNTIME_OPTION) && !key.equals(STOP_TIMEOUT_OPTION)
                    && !key.equals(ContainerSpecs.PID_OPTION)) {
                throw BosunException.invalid("the oci engine has no option '" + key + "'; it knows "
                        + RUNTIME_OPTION + "=runc|crun, " + STOP_TIMEOUT_OPTION + "=SECONDS and "
                        + ContainerSpecs.PID_OPTION + "=app|pod|host");
            }
        }
        boolean sharedPid = ContainerSpecs.sharesPid(pod);
        if (ContainerSpecs.hostPid(pod) && ContainerSpecs.needsInfra(pod)) {
            throw BosunException.invalid("--stage1-option=" + ContainerSpecs.PID_OPTION + "=" + ContainerSpecs.PID_HOST
                    + " puts the apps in the host's PID namespace, where a pod with a user namespace cannot mount"
                    + " its /proc (the host's user namespace owns it); leave out --private-users or the option");
        }
        if (ContainerSpecs.needsInfra(pod) && pod.settings().sysctls().keySet().stream().anyMatch(k -> !k.startsWith("net."))) {
            // the supervisor sets them in its own IPC namespace; a pod with a user namespace has the infra's
            throw BosunException.notImplemented("the oci engine does not set IPC sysctls (kernel.*, fs.mqueue.*) in"
                    + " a pod with a user namespace yet; leave out --private-users or those --sysctl");
        }
        OciRuntime runtime = OciRuntime.named(options.get(RUNTIME_OPTION));
        Path binary = runtime.path();
        int stopTimeout = stopTimeout(options.get(STOP_TIMEOUT_OPTION));
        requireTools();
        // runc with --private-users and a pod network works: the pod's process enters the network
        // namespace before the runtime makes the user namespace (ContainerSpecs.inheritsNetwork,
        // UserNamespaceIT), so runc needs no refusal here.
        if (pod.settings().interactive() && pod.apps().size() != 1) {
            throw BosunException.invalid("--interactive gives the terminal to one app; pod " + pod.uuid() + " has "
                    + pod.apps().size());
        }
        for (PodDirectory.App app : pod.apps()) {
            check(pod, app);
            VolumeStaging.refuseInitial(app);
        }
        UserNamespaceAccess.check(pod);
        EtcMountPoints.prepare(pod);
        int minimumOom = HostLimits.minimumOomScoreAdj();
        Path init = AppInit.find();
        ContainerSpecs specs = new ContainerSpecs(pod, minimumOom, init, runtime == OciRuntime.CRUN);
        Path engine = pod.stage1Dir();
        boolean infra = ContainerSpecs.needsInfra(pod);
        // Everything is made first, then written: a pod the engine refuses gets no file of it.
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(engine.resolve(RUNTIME_RECORD), runtime.command + "\n" + binary + "\n");
        Path infraRoot = engine.resolve(INFRA_ROOTFS);
        if (infra) {
            files.put(ContainerSpecs.specFile(pod, ContainerSpecs.INFRA), ContainerSpecs.json(specs.infra(infraRoot)));
        }
        List<String> warnings = new ArrayList<>();
        List<PodPlan.App> apps = new ArrayList<>();
        // the supervisor fills in the infra container's pid, or the PID namespace holder's, when the pod runs
        List<String> infraConfigs = new ArrayList<>();
        for (PodDirectory.App app : pod.apps()) {
            containerFiles(pod, app, specs, ContainerSpecs.templated(pod), files, infraConfigs);
            Integer asked = app.resources().oomScoreAdj();
            Integer given = specs.oomScoreAdj(app.resources());
            if (asked != null && !asked.equals(given)) {
                warnings.add("app " + app.name() + ": oom-score-adj " + asked + " raised to " + given
                        + ", the lowest this host allows without CAP_SYS_RESOURCE");
            }
            apps.add(planApp(pod, app));
        }
        PodPlan plan = new PodPlan(PodCgroups.name(pod.uuid()), runtime, binary, apps, pod.settings().interactive(),
                stopTimeout, warnings, HostLimits.awkIsMawk(), infra, pod.settings().hostname(), infraConfigs,
                PodPlan.LOG_MAX_BYTES, PodPlan.LOG_KEEP, sandbox(pod), pod.settings().hostIpc(), sharedPid ? init : null,
                pod.settings().netns(), pod.settings().sysctls());
        files.put(engine.resolve(PodPlan.FILE), plan.text());
        try {
            // made here, not by the supervisor: a fork less in every run
            Files.createDirectories(engine.resolve(STATE_DIR));
            Files.createDirectories(engine.resolve(IO_DIR));
            if (infra) {
                for (String dir : List.of("usr", "proc", "dev")) {
                    Files.createDirectories(infraRoot.resolve(dir));
                }
                for (String dir : List.of("bin", "lib", "lib64", "sbin")) {
                    Files.createSymbolicLink(infraRoot.resolve(dir), Path.of("usr", dir));
                }
            }
            for (Map.Entry<Path, String> file : files.entrySet()) {
                write(file.getKey(), file.getValue());
            }
            for (String script : SupervisorScript.SCRIPTS) {
                write(engine.resolve(script), SupervisorScript.text(script));
                Files.setPosixFilePermissions(engine.resolve(script), EXECUTABLE);
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot write the oci engine's files of pod " + pod.uuid() + " in " + engine
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The OCI bundles of an app's container and of its event handlers' containers, into {@code files};
     * with {@code templated}, templates the supervisor completes, listed in {@code infraConfigs}.
     */
    private static void containerFiles(PodDirectory pod, PodDirectory.App app, ContainerSpecs specs, boolean templated,
            Map<Path, String> files, List<String> infraConfigs) {
        Map<String, List<String>> containers = new LinkedHashMap<>();
        containers.put(ContainerSpecs.appId(app.name()), app.exec());
        for (String handler : HANDLERS) {
            List<String> args = app.eventHandlers().get(handler);
            if (args != null && !args.isEmpty()) {
                // the supervisor runs a handler whose bundle exists
                containers.put(ContainerSpecs.handlerId(handler, app.name()), args);
            }
        }
        containers.forEach((id, args) -> {
            Path spec = ContainerSpecs.specFile(pod, id);
            files.put(spec, ContainerSpecs.json(specs.app(app, id, args)));
            if (templated) {
                infraConfigs.add(SupervisorScript.inPod(pod, spec));
            }
        });
    }

    private static PodPlan.App planApp(PodDirectory pod, PodDirectory.App app) {
        return new PodPlan.App(app.name(), app.overlay() ? SupervisorScript.overlayOptions(pod, app) : null,
                app.overlay() ? SupervisorScript.inPod(pod, app.rootfs()) : null);
    }

    static boolean sandbox(PodDirectory pod) {
        return EXIT_POLICY_NEVER.equals(pod.annotations().get(EXIT_POLICY));
    }

    @Override
    public EngineCommand run(PodDirectory pod) {
        // The pod is still in prepared/ (run/ is where it will be): nothing of it can be read yet.
        requireTools();
        List<String> argv = new ArrayList<>(List.of(SupervisorScript.SH, pod.stage1Dir().resolve("run").toString()));
        if (ContainerSpecs.inheritsNetwork(pod)) {
            argv.addAll(0, List.of(NSENTER, "--net=" + pod.settings().netns(), "--"));
        }
        return new EngineCommand(argv, PATH_ENV, "/");
    }

    @Override
    public EngineCommand enter(PodDirectory pod, String appName, List<String> command) {
        PodDirectory.App app = app(pod, appName);
        Path runtime = recordedRuntime(pod);
        long supervisor = supervisorPid(pod);
        if (!Files.exists(pod.stage1Dir().resolve(STATE_DIR).resolve(ContainerSpecs.appId(app.name())))) {
            throw BosunException.precondition("app " + app.name() + " of pod " + pod.uuid()
                    + " is not running (it has exited, or is still starting); see bosun status " + pod.uuid());
        }
        Path terminal = execProcess(pod, app, command, true);
        Path pipes = execProcess(pod, app, command, false);
        // The process first joins the app's cgroups: crun, which runs where the supervisor hides the
        // cgroup2 hierarchy of a hybrid host, would leave it in that hierarchy's cgroup of the caller.
        List<String> argv = new ArrayList<>(ProcessCgroups.joinStep(appPid(pod, app)));
        // The entered process gets a terminal of its own when the caller's input is one (docker exec -t,
        // or the CRI streaming server's pty); otherwise the runtime joins its output to the caller's.
        argv.addAll(List.of(SupervisorScript.SH, "-c", CHOOSE_TERMINAL, "bosun-enter", terminal.toString(), pipes.toString(),
                ContainerSpecs.appId(app.name())));
        // The runtime's state names the containers' cgroups as the supervisor's cgroup namespace shows
        // them; the apps' IPC and UTS namespaces are the supervisor's, and so is the network namespace
        // of a pod with a user namespace, which the runtime's exec keeps (their configs name none to join).
        argv.addAll(List.of(NSENTER, "--target", Long.toString(supervisor), "--mount", "--cgroup", "--ipc", "--uts", "--net",
                "--",
                runtime.toString(), "--root", pod.stage1Dir().resolve(STATE_DIR).toString(), "exec"));
        return new EngineCommand(argv, PATH_ENV, "/");
    }

    /**
     * The entered process's spec: the app's own process (user, groups, capabilities, no_new_privs,
     * rlimits, labels, environment), running {@code command}. Passed whole because neither
     * runtime's exec takes all of it from the container's config (crun's runs as root, without
     * no_new_privs). Each {@code enter} writes its own files (with and without a terminal) in {@code engine/exec/}; the runtime
     * has read it within moments, and files older than a minute are removed at the next enter.
     */
    private static Path execProcess(PodDirectory pod, PodDirectory.App app, List<String> command, boolean terminal) {
        String id = ContainerSpecs.appId(app.name());
        Path bundle = ContainerSpecs.specFile(pod, id).getParent();
        Path dir = pod.stage1Dir().resolve(EXEC_DIR);
        try {
            Path spec = bundle.resolve(ContainerSpecs.CONFIG);
            JsonNode config = JSON.readTree((Files.exists(spec) ? spec : bundle.resolve(ContainerSpecs.TEMPLATE)).toFile());
            JsonNode process = config.path("process");
            if (!process.isObject()) {
                throw BosunException.internal("the spec of app " + app.name() + " of pod " + pod.uuid() + " has no process",
                        null);
            }
            ObjectNode entered = ((ObjectNode) process).deepCopy();
            ArrayNode args = entered.putArray("args");
            (command.isEmpty() ? List.of("/bin/sh") : command).forEach(args::add);
            entered.put("terminal", terminal);
            Files.createDirectories(dir);
            long now = System.currentTimeMillis();
            try (var old = Files.list(dir)) {
                for (Path f : old.toList()) {
                    if (now - Files.getLastModifiedTime(f).toMillis() > EXEC_FILE_MILLIS) {
                        Files.deleteIfExists(f);
                    }
                }
            }
            Path file = Files.createTempFile(dir, id + "-", ".json");
            Files.write(file, JSON.writeValueAsBytes(entered));
            return file;
        } catch (IOException e) {
            throw BosunException.internal("cannot write the process of bosun enter for app " + app.name() + " of pod "
                    + pod.uuid() + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * SIGTERM makes the supervisor stop the apps (SIGTERM, then SIGKILL after the stop timeout); they
     * record their exit codes and {@code bosun run} exits with the pod's. {@code force} kills every
     * process in the pod's cgroups, the supervisor included, at once: bosun run exits with 137.
     * A pod whose supervisor is gone (kill -9 of bosun run) but whose processes are still there
     * (the supervisor's watcher was killed too, or the pod was started by an engine without one)
     * has no one left to stop its apps and record their codes: both kill what is left in its cgroups.
     */
    @Override
    public void stop(PodDirectory pod, long pid, boolean force) {
        List<Path> cgroups = PodCgroups.recorded(pod.stage1Dir(), pod.uuid());
        ProcessHandle supervisor = ProcessHandle.of(pid).orElse(null);
        if (supervisor == null) {
            CgroupTree.kill(cgroups);
            return;
        }
        if (!force) {
            supervisor.destroy();
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(supervisor.descendants().toList());
        CgroupTree.kill(cgroups);
        supervisor.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Kills whatever of the pod still runs (a pod whose supervisor was killed), lets the runtime
     * delete what its state dir still holds, removes the pod's cgroups and checks nothing is left.
     */
    @Override
    public void gc(PodDirectory pod) {
        List<Path> cgroups = PodCgroups.recorded(pod.stage1Dir(), pod.uuid());
        CgroupTree.kill(cgroups);
        deleteContainers(pod);
        List<String> failed = CgroupTree.remove(cgroups);
        if (!failed.isEmpty()) {
            throw BosunException.precondition("cannot remove the cgroups of pod " + pod.uuid() + ": "
                    + String.join("; ", failed) + "; try bosun gc again");
        }
        List<String> mounts = HostLimits.mountsUnder(pod.path());
        if (!mounts.isEmpty()) {
            throw BosunException.precondition("pod " + pod.uuid() + " still has mounts: " + String.join(", ", mounts)
                    + "; unmount them and run bosun gc again");
        }
    }

    /**
     * {@code runtime delete --force} for each container left in the state dir, in a mount namespace
     * where /sys/fs/cgroup is an empty tmpfs: the state names cgroups as the pod's own cgroup
     * namespace saw them, which on the host are other cgroups (gc removes the pod's itself).
     */
    private static void deleteContainers(PodDirectory pod) {
        Path state = pod.stage1Dir().resolve(STATE_DIR);
        List<String> ids = new ArrayList<>();
        try (var entries = Files.list(state)) {
            entries.filter(Files::isDirectory).forEach(p -> ids.add(p.getFileName().toString()));
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw BosunException.internal("cannot list " + state + ": " + e.getMessage(), e);
        }
        if (ids.isEmpty()) {
            return;
        }
        Path runtime = recordedRuntime(pod);
        List<String> argv = new ArrayList<>(List.of(UNSHARE, "--mount", "--propagation", "private", "--",
                SupervisorScript.SH, "-c", "mount -t tmpfs bosun-gc /sys/fs/cgroup || exit 1; rt=$1 state=$2; shift 2; "
                        + "for id; do \"$rt\" --root \"$state\" delete --force \"$id\"; done",
                "sh", runtime.toString(), state.toString()));
        argv.addAll(ids);
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot run " + runtime + " delete for pod " + pod.uuid() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes the added app's container bundles and its plan lines ({@code engine/added/NAME}), which
     * the sandbox's supervisor reads when it starts the app. Nothing is written if anything is refused.
     */
    @Override
    public void add(PodDirectory pod, String appName) {
        PodDirectory.App app = app(pod, appName);
        requireSandbox(pod);
        check(pod, app);
        requireTools();
        OciRuntime runtime = OciRuntime.named(pod.settings().engineOptions().get(RUNTIME_OPTION));
        // the new app alone: the running apps' files stay as they are
        PodDirectory alone = new PodDirectory(pod.uuid(), pod.path(), List.of(app), pod.annotations(), pod.settings());
        EtcMountPoints.prepare(alone);
        ContainerSpecs specs = new ContainerSpecs(pod, HostLimits.minimumOomScoreAdj(), AppInit.find(),
                runtime == OciRuntime.CRUN);
        Map<Path, String> files = new LinkedHashMap<>();
        // in a pod whose apps share a PID namespace or that has a user namespace, templates: the supervisor
        // names its holder's pid, its infra container's, when it starts the app
        containerFiles(pod, app, specs, ContainerSpecs.templated(pod), files, new ArrayList<>());
        // the I/O modes the core recorded, as plan lines "stdin MODE" (the same text)
        files.put(addedPlan(pod, app.name()), PodPlan.appText(planApp(pod, app)) + appIo(pod, app.name()).text()
                + VolumeStaging.planLines(pod, app));
        try {
            for (Map.Entry<Path, String> file : files.entrySet()) {
                write(file.getKey(), file.getValue());
            }
        } catch (IOException e) {
            removeFiles(pod, app.name());
            throw BosunException.internal("cannot write the oci engine's files of app " + app.name() + " of pod "
                    + pod.uuid() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void start(PodDirectory pod, String appName) {
        PodDirectory.App app = app(pod, appName);
        if (app.mounts().stream().anyMatch(PodDirectory.Mount::propagates)) {
            VolumeStaging.attach(pod, app, supervisorPid(pod));
        }
        request(pod, "start", app.name(), "");
    }

    @Override
    public void stop(PodDirectory pod, String appName, java.time.Duration timeout, boolean force) {
        long seconds = force ? 0 : Math.max(0, Math.min(timeout.toSeconds(), 3600));
        request(pod, "stop", app(pod, appName).name(), Long.toString(seconds));
    }

    @Override
    public void remove(PodDirectory pod, String appName, boolean running) {
        String name = app(pod, appName).name();
        if (running) {
            request(pod, "rm", name, "");
        }
        removeFiles(pod, name);
    }

    /**
     * The supervisor's log writer of the app closes its CRI log and opens the path again (creating
     * it and its directory); the supervisor refuses an app that does not run or has no CRI log.
     */
    @Override
    public void reopenLog(PodDirectory pod, String appName) {
        request(pod, "reopen", app(pod, appName).name(), "");
    }

    /**
     * The modes the core recorded for an added app. A terminal ({@code tty}) is kept by the app's
     * holder, engine/ttyhold, a Python 3 program: refused here, with one line, where there is none; a
     * stdin attached to once, by a pod whose supervisor was written before it knew one.
     */
    private static org.bosun.api.app.AppIo appIo(PodDirectory pod, String app) {
        org.bosun.api.app.AppIo io = org.bosun.api.app.AppIo.read(pod.path().resolve("apps").resolve(app));
        if (io.stdin() == org.bosun.api.app.AppIo.Mode.TTY && !Files.isExecutable(Path.of(PYTHON3))) {
            throw BosunException.notImplemented("app " + app + " has a terminal (tty), whose holder needs "
                    + PYTHON3 + ", which this host lacks; install python3 or add the app with --stdin=stream");
        }
        if (io.stdin() == org.bosun.api.app.AppIo.Mode.TTY
                && !Files.isRegularFile(pod.stage1Dir().resolve("ttyhold"))) {
            throw BosunException.notImplemented("pod " + pod.uuid() + " was made by an oci engine without terminal"
                    + " support; add the app with --stdin=stream, or make a new sandbox for a tty app");
        }
        if (io.stdinOnce() && !supervisorHolds(pod, org.bosun.api.app.AppIo.STDIN_RELEASE)) {
            throw BosunException.notImplemented("pod " + pod.uuid() + " was made by an oci engine whose supervisor"
                    + " cannot close a stdin after its first attach; add the app without stdin once, or make a new"
                    + " sandbox for it");
        }
        return io;
    }

    /** Whether the pod's own copy of the supervisor script (written at prepare) knows {@code word}. */
    private static boolean supervisorHolds(PodDirectory pod, String word) {
        try {
            return Files.readString(pod.stage1Dir().resolve("supervise")).contains(word);
        } catch (IOException e) {
            return false;
        }
    }

    /** The interpreter of the terminal holder. */
    static final String PYTHON3 = "/usr/bin/python3";

    private static Path addedPlan(PodDirectory pod, String app) {
        return pod.stage1Dir().resolve(PodPlan.ADDED).resolve(app);
    }

    /** The engine's files of one app, in whichever state they are; never fails. */
    private static void removeFiles(PodDirectory pod, String app) {
        List<Path> paths = new ArrayList<>();
        paths.add(ContainerSpecs.bundle(pod, ContainerSpecs.appId(app)));
        for (String handler : HANDLERS) {
            paths.add(ContainerSpecs.bundle(pod, ContainerSpecs.handlerId(handler, app)));
        }
        paths.add(addedPlan(pod, app));
        paths.add(pod.stage1Dir().resolve(VolumeStaging.DIR).resolve(app));
        for (Path p : paths) {
            org.bosun.host.files.FileTree.deleteQuietly(p);
        }
    }

    private static void requireSandbox(PodDirectory pod) {
        if (!sandbox(pod)) {
            throw BosunException.precondition("pod " + pod.uuid() + " is not a sandbox; apps are added only to pods"
                    + " made by bosun app sandbox");
        }
    }

    /**
     * Hands the sandbox's supervisor one request ({@code ID VERB APP [ARG]}, see engine/supervise) on
     * its control FIFO and waits for its answer. The FIFO is opened for reading and writing, which
     * never blocks, and the line is shorter than PIPE_BUF, so concurrent requests never mix.
     */
    static void request(PodDirectory pod, String verb, String app, String arg) {
        long supervisor = supervisorPid(pod);
        Path control = pod.stage1Dir().resolve(PodPlan.CONTROL);
        // a sandbox just launched opens its FIFO within milliseconds
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(control)) {
            if (System.nanoTime() > deadline || !ProcessHandle.of(supervisor).map(ProcessHandle::isAlive).orElse(false)) {
                throw BosunException.precondition("pod " + pod.uuid() + " takes no app requests (it is not a running"
                        + " sandbox); see bosun status " + pod.uuid());
            }
            pause();
        }
        String id = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        Path reply = pod.stage1Dir().resolve(IO_DIR).resolve("reply-" + id);
        String line = id + " " + verb + " " + app + (arg.isEmpty() ? "" : " " + arg) + "\n";
        try (java.nio.channels.FileChannel fifo = java.nio.channels.FileChannel.open(control,
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            fifo.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw BosunException.internal("cannot hand the request to " + verb + " app " + app + " to pod " + pod.uuid()
                    + ": " + e.getMessage(), e);
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                String answer = Files.readString(reply).trim();
                Files.deleteIfExists(reply);
                if (answer.equals("ok")) {
                    return;
                }
                throw BosunException.precondition(answer.startsWith("error ") ? answer.substring(6) : answer);
            } catch (NoSuchFileException e) {
                // not answered yet
            } catch (IOException e) {
                throw BosunException.internal("cannot read the answer " + reply + ": " + e.getMessage(), e);
            }
            if (!ProcessHandle.of(supervisor).map(ProcessHandle::isAlive).orElse(false)) {
                throw BosunException.precondition("pod " + pod.uuid() + " ended before it answered the request to "
                        + verb + " app " + app);
            }
            if (System.nanoTime() > deadline) {
                throw BosunException.deadlineExceeded("pod " + pod.uuid() + " did not answer the request to " + verb
                        + " app " + app + " within 30 s");
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("waiting for the pod's supervisor was cancelled");
        }
    }

    static int stopTimeout(String value) {
        if (value == null) {
            return DEFAULT_STOP_TIMEOUT_SECONDS;
        }
        try {
            int seconds = Integer.parseInt(value.trim());
            if (seconds >= 0 && seconds <= 3600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw BosunException.invalid("--stage1-option=" + STOP_TIMEOUT_OPTION + "=" + value
                + " is not a number of seconds between 0 and 3600");
    }

    /** The runtime binary recorded at prepare: stop, enter and gc use the one the pod ran with. */
    static Path recordedRuntime(PodDirectory pod) {
        Path record = pod.stage1Dir().resolve(RUNTIME_RECORD);
        try {
            List<String> lines = Files.readAllLines(record);
            if (lines.size() < 2) {
                throw BosunException.internal("the runtime record " + record + " of pod " + pod.uuid()
                        + " is incomplete", null);
            }
            Path binary = Path.of(lines.get(1).trim());
            if (!Files.isExecutable(binary)) {
                throw BosunException.unavailable("pod " + pod.uuid() + " was prepared for the runtime " + binary
                        + ", which is no longer installed; install " + lines.get(0).trim() + " again");
            }
            return binary;
        } catch (IOException e) {
            throw BosunException.internal("pod " + pod.uuid() + " has no runtime record " + record
                    + "; it was not prepared by the oci engine", e);
        }
    }

    /**
     * The pid of the app container's init (on the host), from the runtime's state: runc's
     * {@code state.json}, crun's {@code status}.
     */
    static long appPid(PodDirectory pod, PodDirectory.App app) {
        Path state = pod.stage1Dir().resolve(STATE_DIR).resolve(ContainerSpecs.appId(app.name()));
        for (String[] record : List.of(new String[] {"state.json", "init_process_pid"}, new String[] {"status", "pid"})) {
            try {
                long pid = JSON.readTree(state.resolve(record[0]).toFile()).path(record[1]).asLong(0);
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    return pid;
                }
            } catch (IOException e) {
                // the other runtime's record, or none yet
            }
        }
        throw BosunException.precondition("app " + app.name() + " of pod " + pod.uuid()
                + " is not running (it has exited, or is still starting); see bosun status " + pod.uuid());
    }

    /**
     * The supervisor's pid, from engine/pid. A pod launched detached a moment ago (a CRI sandbox, an
     * {@code app sandbox --detach}) is starting until its process writes that record, its first act:
     * while the pod's own pid file names a live process and there is no record yet, this waits for
     * it, at most {@link #SUPERVISOR_WAIT}.
     */
    static long supervisorPid(PodDirectory pod) {
        long deadline = System.nanoTime() + SUPERVISOR_WAIT.toNanos();
        while (true) {
            long pid = recordedPid(pod.stage1Dir().resolve(PID_RECORD));
            if (pid > 0 && alive(pid)) {
                return pid;
            }
            long launched = recordedPid(pod.path().resolve(POD_PID));
            if (pid > 0 || launched <= 0 || !alive(launched) || System.nanoTime() > deadline) {
                throw BosunException.precondition("pod " + pod.uuid() + " has no running supervisor (it is starting,"
                        + " or has exited); see bosun status " + pod.uuid());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("waiting for pod " + pod.uuid() + "'s supervisor was cancelled");
            }
        }
    }

    /** The pid a record holds, or 0 when it holds none (not written yet, or not a number). */
    private static long recordedPid(Path record) {
        try {
            return Long.parseLong(Files.readString(record).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static PodDirectory.App app(PodDirectory pod, String name) {
        List<String> names = pod.apps().stream().map(PodDirectory.App::name).toList();
        if (name == null) {
            if (pod.apps().size() != 1) {
                throw BosunException.invalid("pod " + pod.uuid() + " has several apps (" + String.join(", ", names)
                        + "); choose one with --app");
            }
            return pod.apps().get(0);
        }
        return pod.apps().stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> BosunException.notFound("pod " + pod.uuid() + " has no app '" + name
                        + "'; its apps are " + String.join(", ", names)));
    }

    /** Refuses, before anything is written, what the runtime or the supervisor could not run as asked. */
    private static void check(PodDirectory pod, PodDirectory.App app) {
        AppNames.require(pod, app);
        String where = "app " + app.name() + " of pod " + pod.uuid();
        if (!app.rootfs().startsWith(pod.path())) {
            throw BosunException.internal(where + ": its rootfs " + app.rootfs() + " is outside the pod", null);
        }
        if (app.overlay()) {
            List<Path> paths = new ArrayList<>(app.lowerDirs());
            paths.add(app.upperDir());
            paths.add(app.workDir());
            for (Path p : paths) {
                if (p == null || p.toString().contains(",") || p.toString().contains(":")) {
                    throw BosunException.invalid(where + ": overlay directory " + p + " cannot be given to overlayfs"
                            + " (it contains ',' or ':'); move the data directory, or use --no-overlay");
                }
            }
        }
        for (PodDirectory.Mount m : app.mounts()) {
            if (!m.target().startsWith("/")) {
                throw BosunException.invalid(where + ": mount target '" + m.target() + "' of volume " + m.volume()
                        + " is not an absolute path");
            }
        }
    }

    private static void requireTools() {
        for (String tool : TOOLS) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw BosunException.unavailable("the oci engine needs " + tool
                        + " (packages util-linux, coreutils, mawk); install it, or use --stage1-name=nspawn");
            }
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public org.bosun.api.app.AppStats stats(PodDirectory pod, String app) {
        return PodUsage.app(pod, app(pod, app));
    }

    @Override
    public org.bosun.api.app.PodStats podStats(PodDirectory pod) {
        return PodUsage.pod(pod);
    }

    @Override
    public void update(PodDirectory pod, String app, org.bosun.api.app.ResourceUpdate update) {
        ResourceUpdates.apply(pod, app, update);
    }
}
