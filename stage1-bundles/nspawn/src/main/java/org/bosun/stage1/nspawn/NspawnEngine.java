package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.app.AppIo;
import org.bosun.api.app.AppLifecycle;
import org.bosun.api.stage1.EngineCapabilities;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.host.cgroup.CgroupTree;
import org.bosun.stage1.rules.AppNames;
import org.bosun.stage1.rules.EtcMountPoints;
import org.bosun.stage1.rules.TerminalHolder;
import org.osgi.service.component.annotations.Component;

/**
 * The nspawn engine, like rkt's coreos flavour: the pod's process is systemd-nspawn, which boots
 * systemd as the pod's PID 1 in a small stage1 tree (the host's /usr plus the pod's units, see
 * {@link Stage1Tree}). systemd starts one unit per app, each chrooted into its own rootfs with its
 * own mount namespace and /proc, /dev, /sys; the apps share the pod's PID, network (loopback only),
 * IPC and UTS namespaces. systemd supervises the apps; a reaper unit per app records the app's exit
 * code in the pod's {@code apps/NAME/status} and, when the last app has stopped, ends the pod with
 * the exit code of the first app (in manifest order) that failed, which systemd-nspawn and so
 * {@code bosun run} exit with.
 *
 * <p>The apps' stdout and stderr are bosun run's (see {@link Stage1Tree#initScript()}); their
 * stdin is /dev/null. {@code bosun status} shows each app's state (a unit per app records its start,
 * see {@link AppStart}) and its exit code once it has exited: 128+N for an app ended by signal N, as
 * a shell reports it; none while it runs or if it never started.
 *
 * <p>On these hosts systemd-nspawn works only unregistered ({@code --register=no --keep-unit}: no
 * systemd runs the host), and systemd in the pod only tracks its apps reliably on a cgroup2
 * hierarchy (see {@link PodCgroup}).
 */
@Component(service = {Stage1Engine.class, AppLifecycle.class})
@Stage1EngineService(name = "nspawn", abiVersion = 1,
        description = "systemd-nspawn, systemd as the pod's init, one unit per app (rkt coreos)")
public final class NspawnEngine implements Stage1Engine, AppLifecycle {
    static final String NSPAWN = "/usr/bin/systemd-nspawn";
    static final String NSENTER = "/usr/bin/nsenter";
    static final String UNSHARE = "/usr/bin/unshare";
    static final String SH = "/usr/bin/sh";
    /** Used inside the pod, from the host's /usr. */
    static final List<String> POD_TOOLS = List.of("/usr/lib/systemd/systemd", "/usr/bin/systemctl", SH,
            "/usr/bin/mkdir", "/usr/bin/ln", "/usr/bin/mv", "/usr/bin/rm", "/usr/bin/cat", "/usr/bin/mkfifo",
            "/usr/bin/sleep", "/usr/bin/true", "/usr/bin/mount", "/usr/bin/mawk", "/usr/bin/stat", "/usr/bin/rmdir");
    static final int MAX_APPS = 64;
    /** How long stop waits for a pod that is still starting. */
    static final Duration STARTUP_WAIT = Duration.ofSeconds(5);

    @Override
    public EngineCapabilities capabilities() {
        return new EngineCapabilities(MAX_APPS, true, true);
    }

    @Override
    public void prepare(PodDirectory pod) {
        refuseUnsupported(pod);
        requireTools();
        PodDevices.requireHost();
        if (PodCgroup.requireHost().hybrid() && pod.apps().stream().anyMatch(AppUnitSettings::hasLegacyLimits)) {
            AppStart.requireStaticBusybox();
        }
        if (pod.settings().interactive() && pod.apps().size() > 1) {
            List<String> names = pod.apps().stream().map(PodDirectory.App::name).toList();
            throw BosunException.invalid("--interactive gives the terminal to one app, and this pod has "
                    + pod.apps().size() + " (" + String.join(", ", names) + "); run them without --interactive");
        }
        for (PodDirectory.App app : pod.apps()) {
            check(pod, app);
            AppSecurity.check(pod, app);
        }
        EtcMountPoints.prepare(pod);
        Stage1Tree.write(pod);
        PodUserNamespace.prepare(pod);
    }

    @Override
    public EngineCommand run(PodDirectory pod) {
        requireTools();
        return command(pod, PodCgroup.requireHost());
    }

    /** The pod's command on a host whose cgroup2 hierarchy is {@code cgroup}. */
    static EngineCommand command(PodDirectory pod, PodCgroup cgroup) {
        Path engine = pod.stage1Dir();
        List<String> init = new ArrayList<>(List.of("systemd.unit=" + PodUnits.TARGET, "systemd.show_status=false"));
        if (pod.settings().interactive()) {
            // systemd tells a terminal console of its units' starts and stops; the app's terminal is for the app
            init.add("systemd.log_level=err");
        }
        NspawnCommand command = new NspawnCommand()
                // the pod enters its network namespace first, as the host's root
                .step(PodNetworkFiles.networkStep(pod))
                .step(List.of(UNSHARE, "--mount", "--propagation", "private", "--"))
                // the apps' overlays, mounted in the pod's mount namespace before systemd-nspawn starts
                .step(PodOverlays.mountStep(pod))
                .step(List.of(SH, engine.resolve(Stage1Tree.RUN).toString(), cgroup.hierarchy().toString(),
                        PodCgroup.name(pod.uuid())))
                .options("--quiet", "--register=no", "--keep-unit", "--resolv-conf=off", "--timezone=off",
                        "--link-journal=no", pod.settings().interactive() ? "--console=interactive" : "--console=pipe",
                        "--kill-signal=SIGRTMIN+3")
                // the pod's SELinux labels (-Z, -L), when the selinux module gave it some
                .options(PodSelinux.nspawnFlags(pod))
                // the pod's user namespace, its range allocated and its files shifted at prepare
                .options(PodUserNamespace.nspawnFlags(pod))
                // the pod's capabilities (the apps' own sets are in their units)
                .options(AppSecurity.nspawnFlags(pod))
                // the pod's etc files and host name
                .options(PodNetworkFiles.nspawnFlags(pod))
                // the pod's /sys paths that every app masks
                .options(PodSysfs.nspawnFlags(pod))
                .options("--directory=" + engine.resolve(Stage1Tree.ROOTFS), "--machine=" + machineName(pod.uuid()),
                        "--uuid=" + pod.uuid())
                // the pod's volumes, at /opt/volumes/NAME for the apps' units to bind on
                .options(AppUnitSettings.nspawnBinds(pod))
                .options("--bind-ro=/usr", "--bind=" + bindPath(pod.path().resolve("apps")) + ":" + PodUnits.APPS_IN_POD)
                .init(Stage1Tree.INIT, init);
        List<String> env = new ArrayList<>(List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                // keeps errors, drops systemd-nspawn's "Trying to halt container" on bosun stop
                "SYSTEMD_LOG_LEVEL=notice"));
        if (cgroup.hybrid()) {
            env.add("SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1");
        }
        if (pod.settings().hostIpc()) {
            // --ipc=parent: systemd-nspawn's replacement of --share-system (which rkt used), for IPC alone
            env.add("SYSTEMD_NSPAWN_SHARE_NS_IPC=1");
        }
        env.addAll(AppSecurity.nspawnEnvironment(pod));
        return new EngineCommand(command.argv(), env, "/");
    }

    /**
     * Refused, not ignored: the oci engine's {@code pid=host} (the pod's systemd is PID 1 of a PID
     * namespace of its own, which systemd-nspawn always makes and its apps cannot leave), and network
     * sysctls in a pod with a user namespace.
     */
    static void refuseUnsupported(PodDirectory pod) {
        if ("host".equals(pod.settings().engineOptions().get("pid"))) {
            throw BosunException.notImplemented("stage1 engine nspawn cannot run apps in the host's PID namespace:"
                    + " the pod's systemd has one of its own; leave out --stage1-option=pid=host, or use"
                    + " --stage1-name=oci");
        }
        if (pod.settings().userNamespace() != null && pod.settings().sysctls().keySet().stream()
                .anyMatch(k -> k.startsWith("net."))) {
            // the pod's init, root of the pod's user namespace, has no rights over the host root's network namespace
            throw BosunException.notImplemented("stage1 engine nspawn does not set network sysctls (net.*) in a pod"
                    + " with a user namespace; leave out --private-users or those --sysctl");
        }
    }

    @Override
    public EngineCommand enter(PodDirectory pod, String appName, List<String> command) {
        PodDirectory.App app = app(pod, appName);
        String podCgroup = recordedCgroup(pod);
        if (podCgroup == null) {
            throw BosunException.precondition("pod " + pod.uuid() + " has not started yet; try again in a moment");
        }
        long pid = PodCgroup.requireHost().appMainPid(podCgroup, app.name())
                .orElseThrow(() -> BosunException.precondition("app " + app.name() + " of pod " + pod.uuid()
                        + " is not running (it has exited, or is still starting); see bosun status " + pod.uuid()));
        // the app's own security context, not the host root's (see AppEntry)
        List<String> argv = AppEntry.command(pod, app, pid, command);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return new EngineCommand(argv, env, "/");
    }

    /**
     * SIGTERM makes systemd-nspawn send SIGRTMIN+3 to the pod's systemd, which stops the apps (SIGTERM,
     * then SIGKILL after systemd's stop timeout), records their exit codes and exits with the pod's
     * code (143 for an app ended by the SIGTERM, or for a pod stopped before its apps started). A pod
     * still starting is first given a moment to get its systemd running: before, the signal would be
     * lost.
     * {@code force} kills the pod at once: systemd-nspawn does not take its container with it when it
     * is killed, so the pod's processes are killed through its cgroup and as systemd-nspawn's
     * children too; bosun run then exits with 137 and no exit code is recorded.
     * A pod whose systemd-nspawn is gone while something of it still holds its lock (its watcher
     * was killed too, see {@link Stage1Tree#watchScript}) is killed through its cgroup either way.
     */
    @Override
    public void stop(PodDirectory pod, long pid, boolean force) {
        if (ProcessHandle.of(pid).isEmpty()) {
            String podCgroup = recordedCgroup(pod);
            if (podCgroup != null) {
                PodCgroup.ofHost().ifPresent(c -> c.kill(podCgroup));
            }
            return;
        }
        ProcessHandle.of(pid).ifPresent(nspawn -> {
            if (!force) {
                PodInit.awaitSystemd(nspawn, STARTUP_WAIT);
                nspawn.destroy();
                return;
            }
            List<ProcessHandle> container = nspawn.children().toList();
            String podCgroup = recordedCgroup(pod);
            if (podCgroup != null) {
                PodCgroup.ofHost().ifPresent(c -> c.kill(podCgroup));
            }
            nspawn.destroyForcibly();
            container.forEach(ProcessHandle::destroyForcibly);
        });
    }

    @Override
    public void gc(PodDirectory pod) {
        removeLegacyCgroups(pod);
        String podCgroup = recordedCgroup(pod);
        if (podCgroup == null) {
            return; // never ran
        }
        PodCgroup cgroup = PodCgroup.ofHost().orElse(null);
        if (cgroup == null) {
            return;
        }
        List<String> failed = cgroup.remove(podCgroup);
        if (!failed.isEmpty()) {
            throw BosunException.precondition("cannot remove the cgroups of pod " + pod.uuid() + ": "
                    + String.join("; ", failed) + "; try bosun gc again");
        }
    }

    /** The legacy memory and cpu cgroups the run script made for the apps' limits (hybrid hosts), deepest first. */
    private static void removeLegacyCgroups(PodDirectory pod) {
        List<String> dirs;
        try {
            dirs = Files.readAllLines(pod.stage1Dir().resolve(Stage1Tree.LEGACY_CGROUPS));
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw BosunException.internal("cannot read the cgroup record of pod " + pod.uuid() + ": " + e.getMessage(), e);
        }
        List<Path> ours = new ArrayList<>();
        for (int i = dirs.size() - 1; i >= 0; i--) {
            String dir = dirs.get(i).trim();
            // only what the run script could have made: a pod cgroup of this pod or an app's below it
            if (!dir.startsWith("/sys/fs/cgroup/") || dir.contains("/../") || !(dir.endsWith("/" + PodCgroup.name(pod.uuid()))
                    || dir.contains("/" + PodCgroup.name(pod.uuid()) + "/app-"))) {
                continue;
            }
            ours.add(Path.of(dir));
        }
        // what is left in them is the pod's, whose systemd-nspawn was killed
        CgroupTree.kill(ours);
        List<String> failed = CgroupTree.remove(ours);
        if (!failed.isEmpty()) {
            throw BosunException.precondition("cannot remove the cgroups of pod " + pod.uuid() + ": "
                    + String.join("; ", failed) + "; try bosun gc again");
        }
    }

    /** An added app becomes units of the running sandbox's systemd (see {@link AddedApps}). */
    @Override
    public void add(PodDirectory pod, String appName) {
        requireTools();
        requireIo(pod, appName);
        AddedApps.add(pod, app(pod, appName));
    }

    /**
     * An added app's I/O modes are its unit's (see {@link AddedApps}); what the engine does not do is
     * refused rather than silently logged.
     */
    private static void requireIo(PodDirectory pod, String appName) {
        AppIo io = AppIo.read(pod.path().resolve("apps").resolve(appName));
        if (AddedApps.needsHolder(io) && !Files.isExecutable(Path.of(TerminalHolder.PYTHON))) {
            throw BosunException.unavailable("app " + appName + " has a " + (io.tty() ? "terminal" : "stream stdin")
                    + ", whose holder on the nspawn engine needs " + TerminalHolder.PYTHON + " (package python3-minimal);"
                    + " install it");
        }
    }

    /** The writer of the app's CRI log reopens it (see {@link AddedApps#reopenLog}). */
    @Override
    public void reopenLog(PodDirectory pod, String appName) {
        AddedApps.reopenLog(pod, app(pod, appName).name());
    }

    @Override
    public void start(PodDirectory pod, String appName) {
        PodDirectory.App app = app(pod, appName);
        AddedApps.start(pod, app);
        AddedApps.recordPid(pod, app.name());
    }

    @Override
    public void stop(PodDirectory pod, String appName, Duration timeout, boolean force) {
        AddedApps.stop(pod, app(pod, appName), timeout, force);
    }

    @Override
    public void remove(PodDirectory pod, String appName, boolean running) {
        AddedApps.remove(pod, app(pod, appName).name(), running);
    }

    static String machineName(String uuid) {
        return "bosun-" + uuid;
    }

    /** systemd-nspawn's --bind splits at ':' and reads backslash escapes. */
    static String bindPath(Path path) {
        return path.toString().replace("\\", "\\\\").replace(":", "\\:");
    }

    static String recordedCgroup(PodDirectory pod) {
        try {
            String line = Files.readString(pod.stage1Dir().resolve(Stage1Tree.CGROUP)).trim();
            // gc kills everything in this cgroup: it must be this pod's own, nothing above it.
            boolean ours = line.startsWith("/") && line.endsWith("/" + PodCgroup.name(pod.uuid()))
                    && !line.contains("/../") && !line.contains("/./");
            if (!ours && !line.isEmpty()) {
                throw BosunException.internal("pod " + pod.uuid() + " records the cgroup '" + line
                        + "', which is not its own; refusing to touch it", null);
            }
            return ours ? line : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BosunException.internal("cannot read the cgroup record of pod " + pod.uuid() + ": " + e.getMessage(), e);
        }
    }

    private static PodDirectory.App app(PodDirectory pod, String name) {
        if (name == null) {
            if (pod.apps().size() != 1) {
                List<String> names = pod.apps().stream().map(PodDirectory.App::name).toList();
                throw BosunException.invalid("pod " + pod.uuid() + " has several apps (" + String.join(", ", names)
                        + "); choose one with --app");
            }
            return pod.apps().get(0);
        }
        for (PodDirectory.App app : pod.apps()) {
            if (app.name().equals(name)) {
                return app;
            }
        }
        List<String> names = pod.apps().stream().map(PodDirectory.App::name).toList();
        throw BosunException.notFound("pod " + pod.uuid() + " has no app '" + name + "'; its apps are "
                + String.join(", ", names));
    }

    /** Refuses, before anything is written, what systemd could not run as asked. */
    static void check(PodDirectory pod, PodDirectory.App app) {
        AppNames.require(pod, app);
        String where = "app " + app.name() + " of pod " + pod.uuid();
        // The pod's apps/ is mounted as a whole at /opt/stage2: each rootfs must be where it says.
        if (!app.rootfs().equals(pod.path().resolve("apps").resolve(app.name()).resolve("rootfs"))) {
            throw BosunException.internal(where + ": its rootfs " + app.rootfs() + " is not in the pod's apps/"
                    + app.name() + "/rootfs, where the nspawn engine expects it", null);
        }
        for (int id : new int[] {app.uid(), app.gid()}) {
            if (id == 65535 || id == -1) {
                throw BosunException.invalid(where + ": user or group " + Integer.toUnsignedString(id)
                        + " cannot run a systemd unit; choose another with --user/--group");
            }
        }
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            String problem = UnitSyntax.environmentProblem(e.getKey(), e.getValue());
            if (problem != null) {
                throw BosunException.invalid(where + ": environment variable " + e.getKey() + " cannot be passed by "
                        + "systemd: " + problem + "; change it, or use --stage1-name=fly");
            }
        }
        for (PodDirectory.Mount m : app.mounts()) {
            if (m.propagates()) {
                throw BosunException.notImplemented(where + ": volume " + m.volume() + " asks " + m.propagation()
                        + " mount propagation, which the nspawn engine does not give (its binds are private);"
                        + " use the oci engine");
            }
            String problem = UnitSyntax.pathProblem(m.target());
            if (problem == null && m.target().contains(":")) {
                problem = "systemd separates bind mounts with ':'";
            }
            if (problem != null) {
                throw BosunException.invalid(where + ": mount target '" + m.target() + "' of volume " + m.volume()
                        + " cannot be given to systemd: " + problem + "; choose another target");
            }
        }
        if (app.resources().oomScoreAdj() != null) {
            String why = AppUnitSettings.oomScoreAdj(app.resources().oomScoreAdj()).getValue();
            if (!why.isEmpty()) {
                Notes.add(pod, "app " + app.name() + ": " + why);
            }
        }
        String wd = app.workingDirectory();
        String problem = UnitSyntax.pathProblem(wd);
        if (problem != null) {
            throw BosunException.invalid(where + ": working directory '" + wd + "' cannot be given to systemd: " + problem);
        }
    }

    private static void requireTools() {
        for (String tool : List.of(NSPAWN, NSENTER, UNSHARE)) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw BosunException.unavailable("the nspawn engine needs " + tool
                        + " (packages systemd-container and util-linux); install it, or use --stage1-name=fly");
            }
        }
        for (String tool : POD_TOOLS) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw BosunException.unavailable("the nspawn engine runs the host's " + tool
                        + " inside the pod, and it is missing; install systemd, or use --stage1-name=fly");
            }
        }
    }
}
