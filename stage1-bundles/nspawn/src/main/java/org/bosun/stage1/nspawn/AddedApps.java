package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.app.AppLifecycle;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.files.FileTree;
import org.bosun.stage1.rules.EtcMountPoints;

/**
 * Apps added to a running sandbox on the nspawn engine ({@link AppLifecycle}): each becomes units of
 * the pod's systemd, the very units {@link PodUnits} renders for an app given to {@code run}, written
 * into the stage1 tree's {@code /etc/systemd/system} (the pod's systemd sees the tree as its root),
 * plus drop-ins ({@code UNIT.d/bosun-added.conf}) that make the app's unit pull in its reaper and
 * start recorder and send its output to its log. The sandbox's reaper records an app's exit code
 * and ends nothing else (see {@link Stage1Tree#reapScript}); a stopped app's unit files stay until
 * it is removed.
 *
 * <p>How the host reaches the pod's systemd: {@code systemctl} (the host's, which the pod sees at
 * /usr) run by {@code nsenter} in the mount and PID namespaces of the pod's systemd, found in its
 * {@code init.scope} cgroup (with the init script's helpers). There it finds systemd's private socket
 * ({@code /run/systemd/private}), which is all systemctl needs as root: no bus, no machined, no
 * host systemd (none runs these hosts; {@code machinectl} and {@code systemctl -M} need both). It is
 * the interface systemd keeps stable, so nothing of the pod has to listen for bosun, unlike the oci
 * engine's supervisor, which has no systemd to ask. Measured on the 2-core machine at a load of 9 to
 * 13: 50 to 80 ms for a {@code systemctl start --no-block}, 130 to 210 ms for a {@code daemon-reload}
 * (through the agent, a whole {@code app add} took 1.2 s and an {@code app start} 0.46 s).
 *
 * <p>The app's overlay and the volumes it mounts: they are host paths the pod cannot see, and the
 * pod's mount namespace takes no mounts from outside, so {@code mount-in-pod.pl} makes each mount
 * on the host, detached, and moves it into the namespace of the pod's systemd (see the script): the
 * overlay at the app's rootfs, a volume no app had yet at {@code /opt/volumes/NAME}, writable (each
 * app's unit binds it read-only for itself when its mount says so, as for the apps given to run).
 */
final class AddedApps {
    static final String ADDED_DROP_IN = "bosun-added.conf";
    static final String STOP_DROP_IN = "bosun-stop.conf";
    static final String SYSTEMCTL = "/usr/bin/systemctl";
    static final String UMOUNT = "/usr/bin/umount";
    private static final String MOUNT_SCRIPT = AppEntry.resource("mount-in-pod.pl");
    private static final Map<String, Integer> SETNS = Map.of("amd64", 308, "aarch64", 268);
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(30);
    /** How long an operation waits for the systemd of a sandbox that is still starting. */
    static final Duration SYSTEMD_WAIT = Duration.ofSeconds(10);

    private AddedApps() {
    }

    static boolean sandbox(PodDirectory pod) {
        return AppLifecycle.EXIT_POLICY_NEVER.equals(pod.annotations().get(AppLifecycle.EXIT_POLICY));
    }

    /** Writes the app's units, mounts its overlay in the pod and has the pod's systemd load them; starts nothing. */
    static void add(PodDirectory pod, PodDirectory.App app) {
        if (!sandbox(pod)) {
            throw BosunException.precondition("pod " + pod.uuid() + " is not a sandbox; apps are added only to pods"
                    + " made by bosun app sandbox");
        }
        if (pod.settings().userNamespace() != null) {
            throw BosunException.notImplemented("the nspawn engine does not add apps to a pod with a user namespace yet;"
                    + " make the sandbox without --private-users");
        }
        boolean hybrid = PodCgroup.requireHost().hybrid();
        if (hybrid && AppUnitSettings.hasLegacyLimits(app)) {
            throw BosunException.notImplemented("on this hybrid-cgroup host the nspawn engine puts memory and cpu limits"
                    + " in cgroups it makes when the pod starts; add app " + app.name() + " without --memory/--cpu/"
                    + "--cpu-shares, or make the sandbox with --stage1-name=oci");
        }
        NspawnEngine.check(pod, app);
        AppSecurity.check(pod, app);
        long systemd = podSystemd(pod);
        // the new app alone: the running apps' files stay as they are
        EtcMountPoints.prepare(new PodDirectory(pod.uuid(), pod.path(), List.of(app), pod.annotations(), pod.settings()));
        Map<Path, String> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> unit : PodUnits.appUnits(pod, app, hybrid).entrySet()) {
            files.put(units(pod).resolve(unit.getKey()), unit.getValue());
        }
        files.put(dropIns(pod, PodUnits.appUnit(app.name())).resolve(ADDED_DROP_IN), addedDropIn(app.name()));
        for (String helper : List.of(PodUnits.reaperUnit(app.name()), AppStart.unitName(app.name()))) {
            files.put(dropIns(pod, helper).resolve(ADDED_DROP_IN), COLLECTED);
        }
        Path root = pod.stage1Dir().resolve(Stage1Tree.ROOTFS);
        try {
            for (Map.Entry<Path, String> file : files.entrySet()) {
                Files.createDirectories(file.getKey().getParent());
                replace(file.getKey(), file.getValue());
            }
            // the pod's systemd resolves the unit's user and groups here (see PodAccounts)
            replace(root.resolve("etc/passwd"), PodAccounts.passwdFile(pod));
            replace(root.resolve("etc/group"), PodAccounts.groupFile(pod));
        } catch (IOException e) {
            removeFiles(pod, app.name());
            throw BosunException.internal("cannot write the units of app " + app.name() + " of pod " + pod.uuid() + ": "
                    + e.getMessage(), e);
        }
        for (PodDirectory.Mount m : app.mounts()) {
            String target = AppUnitSettings.VOLUMES_IN_POD + "/" + m.volume();
            if (!mounted(systemd, target)) {
                try {
                    Files.createDirectories(root.resolve(target.substring(1)));
                } catch (IOException e) {
                    removeFiles(pod, app.name());
                    throw BosunException.internal("cannot make the mount point of volume " + m.volume() + " in pod "
                            + pod.uuid() + ": " + e.getMessage(), e);
                }
                mountInPod(pod, systemd, target, List.of("bind", m.source().toString(), m.recursive() ? "1" : "0"),
                        "volume " + m.volume());
            }
        }
        if (app.overlay()) {
            List<String> lower = new ArrayList<>();
            app.lowerDirs().forEach(p -> lower.add(p.toString()));
            mountInPod(pod, systemd, rootfsInPod(app.name()), List.of("overlay", String.join(":", lower),
                    app.upperDir().toString(), app.workDir().toString()), "the rootfs of app " + app.name());
        }
        systemctl(pod, systemd, "load app " + app.name(), "daemon-reload");
    }

    /**
     * Output to the log file directly: the forwarders of a pod's own apps are started by its init,
     * before systemd, to hold bosun run's stdout, which a sandbox does not have.
     */
    static String addedDropIn(String app) {
        String log = AppLogs.logFile(app);
        return "# bosun: an app added to a sandbox (generated by the nspawn engine)\n"
                + "[Unit]\n"
                + "Wants=" + PodUnits.reaperUnit(app) + " " + AppStart.unitName(app) + "\n"
                + "CollectMode=inactive-or-failed\n"
                + "\n"
                + "[Service]\n"
                + "StandardOutput=append:" + log + "\n"
                + "StandardError=append:" + log + "\n";
    }

    /**
     * systemd keeps a failed unit loaded until its failure is reset; an added app's units are
     * unloaded once they stop, whichever way, so that its removal is a daemon-reload.
     */
    static final String COLLECTED = "[Unit]\nCollectMode=inactive-or-failed\n";

    static void start(PodDirectory pod, PodDirectory.App app) {
        long systemd = podSystemd(pod);
        systemctl(pod, systemd, "start app " + app.name(), "start", "--no-block", PodUnits.appUnit(app.name()));
    }

    /**
     * systemd stops the unit: SIGTERM, and SIGKILL when the stop timeout set here has passed (zero is
     * no timeout to systemd, so a zero timeout is a kill, as {@code force} is).
     */
    static void stop(PodDirectory pod, PodDirectory.App app, Duration timeout, boolean force) {
        long systemd = podSystemd(pod);
        String unit = PodUnits.appUnit(app.name());
        long seconds = Math.max(0, Math.min(timeout.toSeconds(), 3600));
        if (force || seconds == 0) {
            systemctl(pod, systemd, "kill app " + app.name(), "kill", "--signal=SIGKILL", unit);
            return;
        }
        try {
            replace(dropIns(pod, unit).resolve(STOP_DROP_IN), "[Service]\nTimeoutStopSec=" + seconds + "s\n");
        } catch (IOException e) {
            throw BosunException.internal("cannot set the stop timeout of app " + app.name() + " of pod " + pod.uuid()
                    + ": " + e.getMessage(), e);
        }
        systemctl(pod, systemd, "set the stop timeout of app " + app.name(), "daemon-reload");
        systemctl(pod, systemd, "stop app " + app.name(), "stop", "--no-block", unit);
    }

    /** Unmounts the app's overlay in a running pod and forgets its units; removes its files either way. */
    static void remove(PodDirectory pod, String app, boolean running) {
        if (running) {
            long systemd = podSystemd(pod);
            String target = rootfsInPod(app);
            if (mounted(systemd, target)) {
                // in the pod's PID namespace too: umount reads /proc/self, which the pod's /proc shows only to its own
                run(List.of(NspawnEngine.NSENTER, "--target", Long.toString(systemd), "--mount", "--pid", "--", UMOUNT, target),
                        "unmount the rootfs of app " + app + " of pod " + pod.uuid());
            }
            removeFiles(pod, app);
            systemctl(pod, systemd, "forget app " + app, "daemon-reload");
            return;
        }
        removeFiles(pod, app);
    }

    private static void removeFiles(PodDirectory pod, String app) {
        Path units = units(pod);
        for (String unit : List.of(PodUnits.appUnit(app), PodUnits.reaperUnit(app), AppStart.unitName(app))) {
            FileTree.deleteQuietly(units.resolve(unit));
            FileTree.deleteQuietly(dropIns(pod, unit));
        }
    }

    private static Path units(PodDirectory pod) {
        return pod.stage1Dir().resolve(Stage1Tree.ROOTFS).resolve("etc/systemd/system");
    }

    private static Path dropIns(PodDirectory pod, String unit) {
        return units(pod).resolve(unit + ".d");
    }

    /** Written whole and renamed into place: the pod's systemd reads these files at any time. */
    private static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The pod's systemd, its PID 1, found in its {@code init.scope} cgroup once it listens on its
     * private socket. A sandbox is running as soon as systemd-nspawn is: its systemd may still be
     * starting when the first app is added, so this waits for it, at most {@link #SYSTEMD_WAIT}.
     */
    static long podSystemd(PodDirectory pod) {
        long deadline = System.nanoTime() + SYSTEMD_WAIT.toNanos();
        while (true) {
            long pid = readySystemd(pod);
            if (pid > 0) {
                return pid;
            }
            if (System.nanoTime() > deadline) {
                throw BosunException.precondition("pod " + pod.uuid() + " has no running systemd (it is starting or has"
                        + " ended); see bosun status " + pod.uuid());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("waiting for the systemd of pod " + pod.uuid() + " was cancelled");
            }
        }
    }

    private static long readySystemd(PodDirectory pod) {
        String podCgroup = NspawnEngine.recordedCgroup(pod);
        if (podCgroup == null) {
            return -1;
        }
        Path procs = PodCgroup.requireHost().dir(podCgroup).resolve("payload/init.scope/cgroup.procs");
        try {
            for (String line : Files.readAllLines(procs)) {
                long pid = Long.parseLong(line.trim());
                Path proc = Path.of("/proc", Long.toString(pid));
                if (Files.readString(proc.resolve("comm")).trim().equals("systemd")
                        && Files.exists(proc.resolve("root/run/systemd/private"))) {
                    return pid;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not started yet, or ended
        }
        return -1;
    }

    private static boolean mounted(long pid, String target) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && fields[4].equals(target)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw BosunException.precondition("the pod's systemd (process " + pid + ") has ended");
        }
    }

    private static String rootfsInPod(String app) {
        return PodUnits.APPS_IN_POD + "/" + app + "/rootfs";
    }

    private static void mountInPod(PodDirectory pod, long systemd, String target, List<String> mount, String what) {
        Integer setns = SETNS.get(System.getProperty("os.arch"));
        if (setns == null) {
            throw BosunException.unavailable("the nspawn engine knows the system calls of "
                    + String.join(" and ", SETNS.keySet()) + ", not of " + System.getProperty("os.arch"));
        }
        if (!Files.isExecutable(Path.of(AppEntry.PERL))) {
            throw BosunException.unavailable("adding an app on the nspawn engine needs " + AppEntry.PERL
                    + " (package perl-base); install it");
        }
        List<String> argv = new ArrayList<>(List.of(AppEntry.PERL, "-e", MOUNT_SCRIPT, "--", Long.toString(systemd),
                Integer.toString(setns), target));
        argv.addAll(mount);
        run(argv, "mount " + what + " in pod " + pod.uuid());
    }

    private static void systemctl(PodDirectory pod, long systemd, String what, String... args) {
        List<String> argv = new ArrayList<>(List.of(NspawnEngine.NSENTER, "--target", Long.toString(systemd), "--mount",
                "--pid", "--", SYSTEMCTL, "--quiet"));
        argv.addAll(List.of(args));
        run(argv, what + " in pod " + pod.uuid());
    }

    /** Runs a command to its end; its error output, whole, is the message if it fails. */
    private static void run(List<String> argv, String what) {
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.deadlineExceeded("cannot " + what + ": " + argv.get(0) + " did not end within "
                        + COMMAND_WAIT.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                String message = new String(out, StandardCharsets.UTF_8).trim().replace('\n', ' ');
                throw BosunException.precondition("cannot " + what + ": " + (message.isEmpty()
                        ? argv.get(0) + " exited with " + p.exitValue() : message));
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot " + what + ": cannot run " + argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("interrupted: " + what);
        }
    }
}
