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
import org.bosun.api.app.AppIo;
import org.bosun.api.app.AppLifecycle;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.files.FileTree;
import org.bosun.stage1.rules.CriLogFormat;
import org.bosun.stage1.rules.EtcMountPoints;
import org.bosun.stage1.rules.TerminalHolder;

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
 *
 * <p>An added app's I/O modes ({@link AppIo}, read from its directory): {@code null} is
 * /dev/null, {@code log} and {@code stream} output go to its log. A {@code stream} stdin and a
 * {@code tty} need a holder that outlives any attached caller: the holder every engine runs alike,
 * {@link TerminalHolder} ({@code /bosun/ttyhold} in the stage1 tree, run by the host's python3,
 * which the pod sees at /usr), as a {@code Type=notify} unit of the pod's systemd,
 * {@code io-NAME.service}, bound to the app's unit and ordered before it, so it is ready before the
 * app starts and stopped once the app has exited, with the pod's processes in the pod's cgroup. For
 * a {@code stream} stdin it keeps the FIFO {@code apps/NAME/stdin} open for reading and writing, and
 * the unit opens it for reading ({@code StandardInput=file:}): systemd 252 (Debian 12) opens a
 * {@code file:} stdin read-only, which on a FIFO would wait for a writer and read an end of file
 * when the attached caller goes; the holder's open end prevents both. A stdin attached to once
 * ({@link AppIo#stdinOnce()}) is held so only until the first attach has its own end and writes a line
 * into {@code apps/NAME/stdin-release} ({@code --once}): then the app reads an end of file when that
 * attach ends. For a {@code tty} it opens a
 * pseudo-terminal in the pod's own devpts, points {@code /run/bosun/tty/NAME} at the slave, which
 * the app's unit gets with {@code StandardInput=tty} and {@code TTYPath=} (systemd opens it before
 * it enters the app's root, makes it the app's controlling terminal and its three streams), and
 * serves the master on {@code apps/NAME/tty} with the attach protocol of {@link AppIo}; its output
 * goes to the app's log. The pod's {@code apps/} is the same directory on the host and in the pod,
 * so the FIFO and the socket are reached from the host under the pod's directory, as on the oci
 * engine, and go with the app's directory when it is removed.
 *
 * <p>An added app with a CRI log ({@link AppIo#criLog()}, a kubelet's {@code log_path}): its output
 * goes through the writer of the CRI log format every engine runs alike ({@link CriLogFormat}, the
 * oci engine's supervisor runs the same two awk programs), here a unit of the pod's systemd,
 * {@code crilog-NAME.service} ({@link #criLogScript}), bound to the app's unit and started before
 * it. The app's unit (or, for a {@code tty} app, its holder, whose stdout is the terminal's output)
 * writes its stdout and stderr into the FIFOs {@code apps/NAME/cri.out} and {@code cri.err}, made
 * on the host when the app is added; a forwarder per FIFO tags the lines for the writer, which
 * stamps them into the CRI log and writes the text into the app's log as for any app. The pod
 * cannot see the host's path of the CRI log, so the directory the kubelet gave is bound into the
 * pod at {@code /bosun/cri/NAME} (as the app's overlay is, see below), and the writer appends to the
 * file of that name there. ReopenContainerLog writes {@code reopen ID} into the writer's pipe
 * ({@code apps/NAME/cri.pipe}) from the host and waits for its answer {@code apps/NAME/reply-ID}.
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
        boolean hybrid = PodCgroup.requireHost().hybrid();
        if (hybrid && AppUnitSettings.hasLegacyLimits(app)) {
            throw BosunException.notImplemented("on this hybrid-cgroup host the nspawn engine puts memory and cpu limits"
                    + " in cgroups it makes when the pod starts; add app " + app.name() + " without --memory/--cpu/"
                    + "--cpu-shares, or make the sandbox with --stage1-name=oci");
        }
        NspawnEngine.check(pod, app);
        AppSecurity.check(pod, app);
        long systemd = podSystemd(pod);
        Path root = pod.stage1Dir().resolve(Stage1Tree.ROOTFS);
        // in a pod with a user namespace, the app's directory is its root's (its rootfs was shifted at prepare)
        PodUserNamespace.giveApp(pod, app);
        // the new app alone: the running apps' files stay as they are
        EtcMountPoints.prepare(new PodDirectory(pod.uuid(), pod.path(), List.of(app), pod.annotations(), pod.settings()));
        Map<Path, String> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> unit : PodUnits.appUnits(pod, app, hybrid).entrySet()) {
            files.put(units(pod).resolve(unit.getKey()), unit.getValue());
        }
        AppIo io = AppIo.read(pod.path().resolve("apps").resolve(app.name()));
        files.put(dropIns(pod, PodUnits.appUnit(app.name())).resolve(ADDED_DROP_IN), addedDropIn(app.name(), io));
        String holder = holderUnit(app.name(), io);
        if (holder != null) {
            files.put(units(pod).resolve(ioUnit(app.name())), holder);
            files.put(root.resolve(HOLDER.substring(1)), TerminalHolder.program());
        }
        if (io.criLog() != null) {
            files.put(units(pod).resolve(criLogUnit(app.name())), criLogUnit(app.name(), io.criLog()));
            files.put(root.resolve(CRI_LOG_SCRIPT.substring(1)), criLogScript());
            for (String program : List.of(CriLogFormat.FORWARDER, CriLogFormat.WRITER)) {
                files.put(root.resolve(CRI_PROGRAMS.substring(1)).resolve(program), CriLogFormat.program(program));
            }
            prepareCriLog(pod, app.name(), io.criLog());
        }
        for (String helper : List.of(PodUnits.reaperUnit(app.name()), AppStart.unitName(app.name()))) {
            files.put(dropIns(pod, helper).resolve(ADDED_DROP_IN), COLLECTED);
        }
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
        if (io.criLog() != null) {
            mountInPod(pod, systemd, criLogDir(app.name()), List.of("bind", criLogDirectory(io.criLog(), app.name()).toString(),
                    "0"), "the directory of the CRI log of app " + app.name());
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
     * The app's streams as its I/O modes say; output to the log file directly: the forwarders of a
     * pod's own apps are started by its init, before systemd, to hold bosun run's stdout, which a
     * sandbox does not have.
     */
    static String addedDropIn(String app, AppIo io) {
        String log = AppLogs.logFile(app);
        boolean held = needsHolder(io);
        boolean cri = io.criLog() != null;
        StringBuilder sb = new StringBuilder();
        sb.append("# bosun: an app added to a sandbox (generated by the nspawn engine)\n");
        sb.append("[Unit]\n");
        sb.append("Wants=").append(PodUnits.reaperUnit(app)).append(' ').append(AppStart.unitName(app))
                .append(held ? " " + ioUnit(app) : "").append(cri ? " " + criLogUnit(app) : "").append('\n');
        if (held || cri) {
            sb.append("After=").append(held ? ioUnit(app) : "").append(held && cri ? " " : "")
                    .append(cri ? criLogUnit(app) : "").append('\n');
        }
        sb.append("CollectMode=inactive-or-failed\n");
        sb.append('\n');
        sb.append("[Service]\n");
        if (io.tty()) {
            sb.append("StandardInput=tty\n");
            sb.append("TTYPath=").append(ttyLink(app)).append('\n');
            sb.append("StandardOutput=tty\n");
            sb.append("StandardError=tty\n");
            return sb.toString();
        }
        sb.append("StandardInput=").append(io.stdin() == AppIo.Mode.STREAM ? "file:" + stdinFifo(app) : "null")
                .append('\n');
        String out = cri ? "file:" + criFifo(app, CRI_OUT) : "append:" + log;
        String err = cri ? "file:" + criFifo(app, CRI_ERR) : "append:" + log;
        sb.append("StandardOutput=").append(io.stdout() == AppIo.Mode.NULL ? "null" : out).append('\n');
        sb.append("StandardError=").append(io.stderr() == AppIo.Mode.NULL ? "null" : err).append('\n');
        return sb.toString();
    }

    /** The FIFOs and pipe of an app's CRI log writer, in its directory (the same on the host and in the pod). */
    static final String CRI_OUT = "cri.out";
    static final String CRI_ERR = "cri.err";
    static final String CRI_PIPE = "cri.pipe";
    /** The writer's script and the shared programs in the stage1 tree. */
    static final String CRI_LOG_SCRIPT = "/bosun/crilog";
    static final String CRI_PROGRAMS = "/bosun/cri-programs";
    /** How long a ReopenContainerLog waits for the writer's answer. */
    static final Duration REOPEN_WAIT = Duration.ofSeconds(10);

    static String criLogUnit(String app) {
        return "crilog-" + app + ".service";
    }

    static String criFifo(String app, String name) {
        return PodUnits.APPS_IN_POD + "/" + app + "/" + name;
    }

    /** Where the directory of the app's CRI log is bound in the pod. */
    static String criLogDir(String app) {
        return "/bosun/cri/" + app;
    }

    /**
     * The unit of the app's CRI log writer: bound to the app's unit and started before it; at its
     * stop (once the app has stopped) only its script gets SIGTERM, and lets the forwarders and the
     * writer read to the end.
     */
    static String criLogUnit(String app, String criLog) {
        String inPod = criLogDir(app) + "/" + Path.of(criLog).getFileName();
        return "# bosun: the writer of the CRI log of an added app (generated by the nspawn engine)\n"
                + "[Unit]\n"
                + "Description=bosun: the CRI log of app " + app + "\n"
                + "DefaultDependencies=no\n"
                + "BindsTo=" + PodUnits.appUnit(app) + "\n"
                + "Before=" + PodUnits.appUnit(app) + " " + ioUnit(app) + "\n"
                + "RequiresMountsFor=" + PodUnits.APPS_IN_POD + "\n"
                + "Conflicts=shutdown.target\n"
                + "Before=shutdown.target\n"
                + "CollectMode=inactive-or-failed\n"
                + "\n"
                + "[Service]\n"
                + "KillMode=mixed\n"
                + "TimeoutStopSec=10s\n"
                + "ExecStart=" + UnitSyntax.commandLine(List.of("/usr/bin/sh", CRI_LOG_SCRIPT,
                        PodUnits.APPS_IN_POD + "/" + app, inPod, Long.toString(AppLogs.ROTATE_BYTES),
                        Integer.toString(AppLogs.KEPT))) + "\n"
                + "StandardInput=null\n"
                + "StandardOutput=append:" + AppLogs.logFile(app) + "\n"
                + "StandardError=append:" + AppLogs.logFile(app) + "\n";
    }

    /**
     * The writer's script, {@code sh crilog DIR CRI_LOG LOG_MAX LOG_KEEP}: a holder keeps the FIFOs
     * and the pipe open for reading and writing (so that no open waits and no forwarder reads an end
     * while the app has not opened its output yet), the writer reads the pipe, one forwarder per
     * FIFO writes into it; at SIGTERM (its unit is stopped once the app has stopped) the holder
     * goes, the forwarders read the app's last lines to the end, and the writer the forwarders'.
     */
    static String criLogScript() {
        String awk = "/usr/bin/mawk -W interactive -f " + CRI_PROGRAMS + "/";
        return "# bosun: the CRI log of an added app (generated by the nspawn engine); sh crilog DIR CRI_LOG LOG_MAX LOG_KEEP\n"
                + "set -u\n"
                + "dir=$1\n"
                + "umask 027\n"
                + "exec 3<>\"$dir/" + CRI_OUT + "\" 4<>\"$dir/" + CRI_ERR + "\" 5<>\"$dir/" + CRI_PIPE + "\"\n"
                + "/usr/bin/sleep infinity < /dev/null > /dev/null 2>&1 &\n"
                + "holder=$!\n"
                + "trap 'kill \"$holder\" 2> /dev/null' TERM\n"
                + "LOG=$dir/log CRI_LOG=$2 LOG_MAX=$3 LOG_KEEP=$4 IO=$dir\n"
                + "export LOG CRI_LOG LOG_MAX LOG_KEEP IO\n"
                + awk + CriLogFormat.WRITER + " < \"$dir/" + CRI_PIPE + "\" 3>&- 4>&- 5>&- &\n"
                + "writer=$!\n"
                + "PREFIX= OUT=/dev/null CRI_MAX=" + CriLogFormat.PART_MAX + "\n"
                + "export PREFIX OUT CRI_MAX\n"
                + "STREAM=stdout TO_LOG=/dev/stdout " + awk + CriLogFormat.FORWARDER + " < \"$dir/" + CRI_OUT
                + "\" > \"$dir/" + CRI_PIPE + "\" 3>&- 4>&- 5>&- &\n"
                + "STREAM=stderr TO_LOG=/dev/stdout " + awk + CriLogFormat.FORWARDER + " < \"$dir/" + CRI_ERR
                + "\" > \"$dir/" + CRI_PIPE + "\" 3>&- 4>&- 5>&- &\n"
                + "exec 3>&- 4>&- 5>&-\n"
                + "while kill -0 \"$writer\" 2> /dev/null; do wait \"$writer\"; done\n";
    }

    /**
     * On the host: the CRI log's directory (a kubelet makes it; a bare client may not) and the file,
     * so that a path that cannot be written is refused here, and the app's FIFOs.
     */
    private static void prepareCriLog(PodDirectory pod, String app, String criLog) {
        Path file = Path.of(criLog);
        criLogDirectory(criLog, app);
        try {
            Files.createDirectories(file.getParent());
            Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
                    .close();
        } catch (IOException e) {
            throw BosunException.invalid("cannot write the CRI log " + criLog + " of app " + app + ": " + e
                    + "; give a log path the host can write");
        }
        Path dir = pod.path().resolve("apps").resolve(app);
        List<String> argv = new ArrayList<>(List.of(MKFIFO, "-m", "0600"));
        for (String fifo : List.of(CRI_OUT, CRI_ERR, CRI_PIPE)) {
            FileTree.deleteQuietly(dir.resolve(fifo));
            argv.add(dir.resolve(fifo).toString());
        }
        run(argv, "make the CRI log pipes of app " + app + " of pod " + pod.uuid());
        try {
            Files.createDirectories(pod.stage1Dir().resolve(Stage1Tree.ROOTFS).resolve(criLogDir(app).substring(1)));
        } catch (IOException e) {
            throw BosunException.internal("cannot make the mount point of the CRI log of app " + app + " of pod "
                    + pod.uuid() + ": " + e.getMessage(), e);
        }
    }

    static final String MKFIFO = "/usr/bin/mkfifo";

    /** The host directory of a CRI log, which is bound into the pod: never the host's root. */
    static Path criLogDirectory(String criLog, String app) {
        Path dir = Path.of(criLog).getParent();
        if (dir == null || dir.getParent() == null) {
            throw BosunException.invalid("the CRI log " + criLog + " of app " + app + " is in the host's root directory,"
                    + " which would be bound into the pod; give a log path in a directory of its own (kubelet's are"
                    + " under /var/log/pods)");
        }
        return dir;
    }

    /**
     * Has the app's CRI log writer close the file and open its path again, and waits for its answer
     * (the oci engine's supervisor does the same with the same writer).
     */
    static void reopenLog(PodDirectory pod, String app) {
        Path dir = pod.path().resolve("apps").resolve(app);
        AppIo io = AppIo.read(dir);
        if (io.criLog() == null) {
            throw BosunException.precondition("app " + app + " of pod " + pod.uuid() + " has no CRI log");
        }
        if (Files.exists(dir.resolve("status")) || !Files.exists(dir.resolve(CRI_PIPE))) {
            throw BosunException.precondition("app " + app + " of pod " + pod.uuid()
                    + " is not running; only a running app's log is reopened");
        }
        try {
            Files.createDirectories(Path.of(io.criLog()).getParent());
        } catch (IOException e) {
            throw BosunException.precondition("cannot make the directory of the CRI log " + io.criLog() + ": " + e);
        }
        String id = Long.toHexString(System.nanoTime()) + Long.toHexString(ProcessHandle.current().pid());
        Path reply = dir.resolve("reply-" + id);
        // read and write: the open never waits, even when the writer has just ended with the app
        try (java.nio.channels.FileChannel pipe = java.nio.channels.FileChannel.open(dir.resolve(CRI_PIPE),
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            pipe.write(java.nio.ByteBuffer.wrap(("reopen " + id + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw BosunException.unavailable("cannot reach the CRI log writer of app " + app + " of pod " + pod.uuid()
                    + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + REOPEN_WAIT.toNanos();
        try {
            while (!Files.exists(reply)) {
                if (System.nanoTime() > deadline) {
                    throw BosunException.deadlineExceeded("the CRI log writer of app " + app + " of pod " + pod.uuid()
                            + " did not reopen " + io.criLog() + " within " + REOPEN_WAIT.toSeconds() + " s");
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("waiting for the reopen of the CRI log of app " + app + " was cancelled");
        } finally {
            FileTree.deleteQuietly(reply);
        }
    }

    /** The holder program in the stage1 tree. */
    static final String HOLDER = "/bosun/ttyhold";

    static String ioUnit(String app) {
        return "io-" + app + ".service";
    }

    /** The link to the slave of a {@code tty} app's terminal, in the pod. */
    static String ttyLink(String app) {
        return "/run/bosun/tty/" + app;
    }

    static String stdinFifo(String app) {
        return PodUnits.APPS_IN_POD + "/" + app + "/" + AppIo.STDIN_FIFO;
    }

    /** The FIFO whose line has the holder of a once stdin close its end (see {@link AppIo#STDIN_RELEASE}). */
    static String stdinRelease(String app) {
        return PodUnits.APPS_IN_POD + "/" + app + "/" + AppIo.STDIN_RELEASE;
    }

    static boolean needsHolder(AppIo io) {
        return io.tty() || io.stdin() == AppIo.Mode.STREAM;
    }

    /** The unit of the app's holder (see the class comment), or null when its modes need none. */
    static String holderUnit(String app, AppIo io) {
        if (!needsHolder(io)) {
            return null;
        }
        String log = AppLogs.logFile(app);
        String command = io.tty()
                ? "--pty " + ttyLink(app) + " " + PodUnits.APPS_IN_POD + "/" + app + "/" + AppIo.TTY_SOCKET
                : "--fifo " + stdinFifo(app) + (io.stdinOnce() ? " --once " + stdinRelease(app) : "");
        return "# bosun: the holder of the attachable streams of an added app (generated by the nspawn engine)\n"
                + "[Unit]\n"
                + "Description=bosun: the " + (io.tty() ? "terminal" : "stdin") + " of app " + app + "\n"
                + "DefaultDependencies=no\n"
                // started before the app, stopped once it has stopped, whichever way
                + "BindsTo=" + PodUnits.appUnit(app) + "\n"
                + "Before=" + PodUnits.appUnit(app) + "\n"
                + "RequiresMountsFor=" + PodUnits.APPS_IN_POD + "\n"
                + "Conflicts=shutdown.target\n"
                + "Before=shutdown.target\n"
                + "CollectMode=inactive-or-failed\n"
                + "\n"
                + "[Service]\n"
                + "Type=notify\n"
                + "ExecStart=" + TerminalHolder.PYTHON + " " + HOLDER + " " + command + "\n"
                + "StandardInput=null\n"
                // a terminal's output is the app's stdout, for the CRI log's writer when it has one
                + "StandardOutput=" + (io.tty() && io.criLog() != null ? "file:" + criFifo(app, CRI_OUT) : "append:" + log)
                + "\n"
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

    /** How long {@link #recordPid} waits for the app's start recorder. */
    static final Duration PID_WAIT = Duration.ofSeconds(10);

    /**
     * Records the host pid of the app's main process in {@code apps/NAME/pid}, which {@code bosun app
     * status} reports and {@code bosun attach} follows (the pod's systemd knows only its own PID
     * namespace's): once the start recorder has written {@code started} (the unit's process has exec'd
     * the app, after any pre-start handler), the process of the unit's cgroup whose parent is the
     * pod's systemd. Nothing is recorded for an app that has already exited ({@code status}) or that
     * does not start within {@link #PID_WAIT}: the core's own wait for its start says so.
     */
    static void recordPid(PodDirectory pod, String app) {
        String podCgroup = NspawnEngine.recordedCgroup(pod);
        if (podCgroup == null) {
            return;
        }
        PodCgroup cgroup = PodCgroup.requireHost();
        Path dir = pod.path().resolve("apps").resolve(app);
        long deadline = System.nanoTime() + PID_WAIT.toNanos();
        while (System.nanoTime() < deadline && !Files.exists(dir.resolve("status"))) {
            if (Files.exists(dir.resolve("started"))) {
                java.util.Optional<Long> pid = cgroup.appMainPid(podCgroup, app);
                if (pid.isPresent()) {
                    try {
                        replace(dir.resolve("pid"), pid.get() + "\n");
                    } catch (IOException e) {
                        throw BosunException.internal("cannot record the pid of app " + app + " of pod " + pod.uuid()
                                + ": " + e.getMessage(), e);
                    }
                }
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("waiting for the start of app " + app + " of pod " + pod.uuid()
                        + " was cancelled");
            }
        }
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
            for (String mount : List.of(target, criLogDir(app))) {
                if (mounted(systemd, mount)) {
                    // in the pod's PID namespace too: umount reads /proc/self, which the pod's /proc shows only to its own
                    run(List.of(NspawnEngine.NSENTER, "--target", Long.toString(systemd), "--mount", "--pid", "--", UMOUNT,
                            mount), "unmount " + mount + " of app " + app + " of pod " + pod.uuid());
                }
            }
            removeFiles(pod, app);
            systemctl(pod, systemd, "forget app " + app, "daemon-reload");
            return;
        }
        removeFiles(pod, app);
    }

    private static void removeFiles(PodDirectory pod, String app) {
        Path units = units(pod);
        for (String unit : List.of(PodUnits.appUnit(app), PodUnits.reaperUnit(app), AppStart.unitName(app), ioUnit(app),
                criLogUnit(app))) {
            FileTree.deleteQuietly(units.resolve(unit));
            FileTree.deleteQuietly(dropIns(pod, unit));
        }
        FileTree.deleteQuietly(pod.stage1Dir().resolve(Stage1Tree.ROOTFS).resolve(criLogDir(app).substring(1)));
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
                "--pid"));
        if (pod.settings().userNamespace() != null) {
            // the pod's systemd takes requests on its private bus from its own root only, not the host's (nobody there)
            argv.add("--user");
        }
        argv.addAll(List.of("--", SYSTEMCTL, "--quiet"));
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
