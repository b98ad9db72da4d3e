package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.ShellWords;

/**
 * The engine's files in a pod ({@link PodDirectory#stage1Dir()}):
 *
 * <pre>
 * engine/run        the host side: cgroup, private /run/systemd/nspawn, then systemd-nspawn
 * engine/cgroup     the pod's cgroup, below the caller's (written by run; gc removes it)
 * engine/devices    the devices the pod may open, as cgroup v1 devices.allow lines (see PodDevices)
 * engine/device-program, device-program.pl   the same as a cgroup2 eBPF device program, and its loader
 * engine/rootfs/    the stage1 tree systemd-nspawn boots: the host's /usr is mounted on usr/,
 *                   the pod's apps/ on opt/stage2/; bosun/init and bosun/reap; the units
 * </pre>
 *
 * Nothing in it names the pod directory's own path, which changes when the pod is renamed from
 * prepared/ to run/.
 */
final class Stage1Tree {
    static final String ROOTFS = "rootfs";
    static final String RUN = "run";
    static final String CGROUP = "cgroup";
    static final String INIT = "/bosun/init";
    static final String REAP = "/bosun/reap";
    /** The name of the first app that failed, which ended the pod (appc's onAnyFailure). */
    static final String FAILED = "/run/bosun/failed";
    /** The legacy cgroup limits of the apps (hybrid hosts), read by the run script. */
    static final String LEGACY_LIMITS = "legacy-limits";
    /** The legacy cgroups the run script made, one directory per line, for gc. */
    static final String LEGACY_CGROUPS = "legacy-cgroups";
    /** The devices the pod may open, read by the run script. */
    static final String DEVICES = "devices";

    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");

    private Stage1Tree() {
    }

    static void write(PodDirectory pod) {
        Path engine = pod.stage1Dir();
        Path root = engine.resolve(ROOTFS);
        try {
            for (String dir : List.of("usr", "etc/systemd/system", "proc", "sys", "dev", "run", "tmp", "var", "root",
                    "bosun", NO_GENERATORS.substring(1), "opt/stage2")) {
                Files.createDirectories(root.resolve(dir));
            }
            // bound at /opt/stage2: a sandbox starts with no app, so nothing else made it
            Files.createDirectories(pod.path().resolve("apps"));
            for (String dir : List.of("bin", "lib", "lib64", "sbin")) {
                Files.createSymbolicLink(root.resolve(dir), Path.of("usr", dir));
            }
            file(root.resolve("etc/os-release"), osRelease(), READABLE);
            // Empty: systemd takes the machine id from --uuid, the pod's UUID.
            file(root.resolve("etc/machine-id"), "", READABLE);
            Path units = root.resolve("etc/systemd/system");
            for (Map.Entry<String, String> unit : PodUnits.all(pod).entrySet()) {
                file(units.resolve(unit.getKey()), unit.getValue(), READABLE);
            }
            file(root.resolve(INIT.substring(1)), initScript(pod), EXECUTABLE);
            file(root.resolve("etc/passwd"), PodAccounts.passwdFile(pod), READABLE);
            file(root.resolve("etc/group"), PodAccounts.groupFile(pod), READABLE);
            file(root.resolve(AppLogs.LOGGER.substring(1)), AppLogs.loggerScript(), READABLE);
            file(root.resolve(AppLogs.ROTATE.substring(1)), AppLogs.rotateScript(), READABLE);
            file(root.resolve(AppStart.SCRIPT.substring(1)), AppStart.script(), READABLE);
            file(engine.resolve(LEGACY_LIMITS), AppUnitSettings.legacyLimits(pod), READABLE);
            file(engine.resolve(DEVICES), PodDevices.allowList(), READABLE);
            file(engine.resolve(PodDevices.PROGRAM), PodDevices.program(), READABLE);
            file(engine.resolve(PodDevices.LOADER), PodDevices.loader(), READABLE);
            file(root.resolve(REAP.substring(1)), reapScript(pod), READABLE);
            file(engine.resolve(RUN), runScript(), EXECUTABLE);
        } catch (IOException e) {
            throw BosunException.internal("cannot write the nspawn stage1 of pod " + pod.uuid() + " in " + engine + ": "
                    + e.getMessage(), e);
        }
    }

    private static void file(Path path, String content, Set<PosixFilePermission> permissions) throws IOException {
        Files.write(path, content.getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(path, permissions);
    }

    static String osRelease() {
        return "NAME=\"bosun stage1\"\n"
                + "ID=bosun-stage1\n"
                + "PRETTY_NAME=\"bosun stage1 (systemd-nspawn)\"\n";
    }

    /**
     * The pod's PID 1 until it becomes systemd, which points its own standard streams at /dev/null:
     * first it leaves processes behind that keep the pod's stdout and stderr (those of bosun run) within
     * the apps' reach. A pipe or a terminal is reopened by each app's unit through the /proc entry of a
     * process that keeps it ({@code /run/bosun/stdout -> /proc/PID/fd/1}): the apps write straight to
     * it. A regular file is not reopened, since the caller's file offset would then stay behind the
     * apps' output: the apps write into a FIFO that a forwarder copies through the very descriptor
     * bosun run got, and the last reaper waits until it is drained before the pod exits.
     */
    /** An empty directory of the stage1 tree, where systemd looks for generators. */
    static final String NO_GENERATORS = "/bosun/no-generators";

    static String initScript(PodDirectory pod) {
        StringBuilder sb = new StringBuilder();
        sb.append("#!/usr/bin/sh\n");
        sb.append("# bosun pod init (generated by the nspawn engine)\n");
        sb.append("/usr/bin/mkdir -p /run/bosun/exited || exit 125\n");
        sb.append("/usr/bin/sleep infinity </dev/null &\n");
        sb.append("keeper=$!\n");
        // In a user namespace the pod's root cannot reopen a pipe of the host's root: copied, as a file is.
        boolean copyPipes = pod.settings().userNamespace() != null;
        stream(sb, 1, PodUnits.STDOUT, copyPipes);
        stream(sb, 2, PodUnits.STDERR, copyPipes);
        sb.append(AppLogs.initPart(pod));
        sb.append(sysctlPart(pod));
        // The host's generators make units of its fstab, crypttab, gettys, SysV scripts, ... none of
        // which a pod has, and running them all is about 100 ms of every pod's start: systemd is
        // pointed at a directory with none (its environment does not reach the apps' units).
        sb.append("SYSTEMD_GENERATOR_PATH=").append(NO_GENERATORS).append(" SYSTEMD_ENVIRONMENT_GENERATOR_PATH=")
                .append(NO_GENERATORS).append(" exec /usr/lib/systemd/systemd \"$@\"\n");
        return sb.toString();
    }

    /** Where the init mounts a proc of its own to set the pod's sysctls. */
    static final String SYSCTL_PROC = "/run/bosun/sysctl-proc";

    /**
     * The pod's sysctls ({@code --sysctl}, checked by the core), set by its init before systemd and so
     * before any app: the init is in the pod's network namespace and in the IPC namespace
     * systemd-nspawn made, whose settings /proc/sys shows it. systemd-nspawn mounts /proc/sys
     * read-only: they are written through a proc mounted for them, then unmounted. A value the
     * kernel refuses ends the pod with the key named.
     */
    static String sysctlPart(PodDirectory pod) {
        if (pod.settings().sysctls().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("/usr/bin/mkdir -p ").append(SYSCTL_PROC).append(" && /usr/bin/mount -t proc -o nosuid,nodev,noexec proc ")
                .append(SYSCTL_PROC).append(" || { echo 'bosun: cannot mount a proc to set the sysctls of the pod' >&2;"
                        + " exit 125; }\n");
        pod.settings().sysctls().forEach((key, value) -> {
            String file = SYSCTL_PROC + "/sys/" + key.replace('.', '/');
            sb.append("printf '%s\\n' ").append(ShellWords.quote(value)).append(" > ").append(ShellWords.quote(file))
                    .append(" || { echo ").append(ShellWords.quote("bosun: cannot set sysctl " + key + "=" + value
                            + " in the pod")).append(" >&2; exit 125; }\n");
        });
        sb.append("/usr/bin/umount ").append(SYSCTL_PROC).append(" || exit 125\n");
        return sb.toString();
    }

    private static void stream(StringBuilder sb, int fd, String path, boolean copyPipes) {
        String copied = copyPipes ? "{ [ -f /proc/self/fd/" + fd + " ] || [ -p /proc/self/fd/" + fd + " ]; }"
                : "[ -f /proc/self/fd/" + fd + " ]";
        if (fd == 2) {
            // 2>&1 into a file: one forwarder keeps the order of what an app writes to both
            sb.append("if ").append(copied).append(" && [ /proc/self/fd/2 -ef /proc/self/fd/1 ]; then\n");
            sb.append("    /usr/bin/ln -s ").append(Path.of(PodUnits.STDOUT).getFileName()).append(' ').append(path)
                    .append(" || exit 125\n");
            sb.append("el");
        }
        // --interactive: the pod's console; its /proc link names a terminal of the host's devpts
        sb.append("if [ /proc/self/fd/").append(fd).append(" -ef /dev/console ]; then\n");
        sb.append("    /usr/bin/ln -s /dev/console ").append(path).append(" || exit 125\n");
        sb.append("elif ").append(copied).append("; then\n");
        sb.append("    /usr/bin/mkfifo ").append(path).append(" || exit 125\n");
        // Opened read-write here, so the FIFO has a writer from now on, and kept by a process the
        // last reaper kills: the forwarder sees end-of-file only when every app is done.
        sb.append("    exec 3<>").append(path).append("\n");
        sb.append("    /usr/bin/sleep infinity </dev/null >/dev/null 2>&1 &\n");
        sb.append("    echo $! > ").append(path).append(".holder\n");
        sb.append("    exec 3>&-\n");
        sb.append("    : > ").append(path).append(".forwarding\n");
        sb.append("    { /usr/bin/cat ").append(path).append(" >&").append(fd).append("; /usr/bin/rm -f ").append(path)
                .append(".forwarding; } </dev/null &\n");
        sb.append("else\n");
        sb.append("    /usr/bin/ln -s \"/proc/$keeper/fd/").append(fd).append("\" ").append(path).append(" || exit 125\n");
        sb.append("fi\n");
    }

    /**
     * Run by {@code reaper-APP.service} once app {@code $1} has stopped: writes its exit code (128+N
     * for a signal, as a shell reports it) to the pod's {@code apps/APP/status}, which the host reads.
     * The first app to fail (a non-zero code) ends the pod, as appc's {@code onAnyFailure} exit policy
     * and rkt have it: its reaper stops the other apps. When every app has stopped, ends the pod with
     * {@code systemctl exit}: the exit code of the app that failed first; if none did, that of the first
     * app in pod manifest order that has no code (255: stopped before it started), else 0.
     * systemd-nspawn, hence {@code bosun run}, exits with that code. In a sandbox it only records the
     * code: the pod runs on until it is stopped (see {@link AddedApps}).
     */
    static String reapScript(PodDirectory pod) {
        StringBuilder apps = new StringBuilder();
        for (PodDirectory.App app : pod.apps()) {
            apps.append(apps.length() == 0 ? "" : " ").append(app.name());
        }
        String dir = PodUnits.APPS_IN_POD;
        String record = "# bosun app reaper (generated by the nspawn engine)\n"
                + "apps='" + apps + "'\n"
                + "app=$1\n"
                + "code= status=\n"
                + "for kv in $(/usr/bin/systemctl show --property=ExecMainCode --property=ExecMainStatus \"app-$app.service\"); do\n"
                + "    case $kv in\n"
                + "        ExecMainCode=*) code=${kv#*=} ;;\n"
                + "        ExecMainStatus=*) status=${kv#*=} ;;\n"
                + "    esac\n"
                + "done\n"
                + "case $code in\n"
                + "    1) echo \"$status\" > \"" + dir + "/$app/status.tmp\" ;;\n"
                + "    2|3) echo $((128 + status)) > \"" + dir + "/$app/status.tmp\" ;;\n"
                + "esac\n"
                + "if [ -f \"" + dir + "/$app/status.tmp\" ]; then\n"
                + "    /usr/bin/mv -f \"" + dir + "/$app/status.tmp\" \"" + dir + "/$app/status\"\n"
                + "fi\n";
        if (AddedApps.sandbox(pod)) {
            // a sandbox's apps come and go on request: one that ends ends nothing else
            return record + AppLogs.reaperPart();
        }
        return record
                // appc's onAnyFailure exit policy, as rkt's: the first app that fails (by itself, or
                // stopped by the pod's stop, which fails every app at once) is recorded, once, and the
                // other apps are stopped; the pod then exits with that app's code.
                + "s=\n"
                + "[ ! -f \"" + dir + "/$app/status\" ] || read -r s < \"" + dir + "/$app/status\"\n"
                + "if [ -n \"$s\" ] && [ \"$s\" != 0 ] && (set -C; echo \"$app\" > " + FAILED + ") 2>/dev/null; then\n"
                + "    others=\n"
                + "    for a in $apps; do [ \"$a\" = \"$app\" ] || others=\"$others app-$a.service\"; done\n"
                + "    [ -z \"$others\" ] || /usr/bin/systemctl --no-block stop $others\n"
                + "fi\n"
                + AppLogs.reaperPart()
                + ": > \"/run/bosun/exited/$app\"\n"
                + "pod=0\n"
                + "for a in $apps; do\n"
                + "    [ -e \"/run/bosun/exited/$a\" ] || exit 0\n"
                + "    [ \"$pod\" = 0 ] || continue\n"
                + "    if [ -f \"" + dir + "/$a/status\" ]; then\n"
                + "        read -r pod < \"" + dir + "/$a/status\"\n"
                + "    else\n"
                + "        pod=255\n" // stopped before it could start
                + "    fi\n"
                + "done\n"
                + "if [ -f " + FAILED + " ]; then\n"
                + "    read -r failed < " + FAILED + " && read -r pod < \"" + dir + "/$failed/status\" || pod=255\n"
                + "fi\n"
                // The last app is done: let the forwarders of output sent to regular files drain
                // (this script's own output goes to them too, hence the redirection).
                + "exec >/dev/null 2>&1\n"
                + "for holder in " + PodUnits.STDOUT + ".holder " + PodUnits.STDERR + ".holder; do\n"
                + "    if [ -f \"$holder\" ]; then read -r pid < \"$holder\" && kill \"$pid\"; fi\n"
                + "done\n"
                + "i=0\n"
                + "while [ -e " + PodUnits.STDOUT + ".forwarding ] || [ -e " + PodUnits.STDERR + ".forwarding ]; do\n"
                + "    i=$((i + 1))\n"
                + "    [ $i -le 500 ] || break\n"
                + "    /usr/bin/sleep 0.01\n"
                + "done\n"
                + "exec /usr/bin/systemctl --no-block exit \"$pod\"\n";
    }

    /**
     * The host side, exec'd by bosun inside a mount namespace of its own: puts the pod in a cgroup
     * of its own below the caller's (systemd-nspawn --keep-unit puts its payload/ and supervisor/
     * cgroups below its own cgroup, and the systemd in the pod manages payload/ as a whole: two pods
     * started from one cgroup would otherwise share it), hides /run/systemd/nspawn behind a tmpfs so
     * that systemd-nspawn leaves nothing in the host's /run, gives the pod a /sys of its own network
     * namespace (see {@link PodSysfs}), then becomes systemd-nspawn. Before, it puts itself in
     * the pod's legacy cgroups: those of the apps' limits and the one of its devices; its cgroup2 cgroup
     * gets the device program before it enters it ({@link PodDevices}).
     * Arguments: the cgroup2 hierarchy, the pod's cgroup name, then the systemd-nspawn command.
     */
    /**
     * The run script's part for a hybrid host: for each line of {@link #LEGACY_LIMITS}, makes the
     * app's cgroup in the legacy controller's hierarchy, below the pod's own cgroup there (itself
     * below the caller's), writes the limit, and has systemd-nspawn bind the pod's cgroup of each
     * controller at {@code /bosun/cgroup/CONTROLLER}. Every directory made is recorded for gc first.
     */
    static String legacyCgroups() {
        return "limits=\"${0%/*}/" + LEGACY_LIMITS + "\" made=\"${0%/*}/" + LEGACY_CGROUPS + "\" binds=\n"
                + ": > \"$made\" || exit 125\n"
                + "while read -r unit controller file value; do\n"
                + "    [ -n \"$unit\" ] || continue\n"
                + "    base=\n"
                + "    while IFS=: read -r _ controllers path; do\n"
                + "        case \",$controllers,\" in *,$controller,*) base=/sys/fs/cgroup/$controller${path%/}/$name ;; esac\n"
                + "    done < /proc/self/cgroup\n"
                + "    case $base in\n"
                + "        ''|*:*) echo \"bosun: no $controller cgroup hierarchy for the limits of $unit\" >&2; exit 125 ;;\n"
                + "    esac\n"
                + "    if [ ! -d \"$base/$unit\" ]; then\n"
                + "        [ -d \"$base\" ] || { echo \"$base\" >> \"$made\" && /usr/bin/mkdir \"$base\"; } || exit 125\n"
                + "        echo \"$base/$unit\" >> \"$made\" && /usr/bin/mkdir \"$base/$unit\" || exit 125\n"
                + "        case \" $binds \" in *\" $controller \"*) ;; *) binds=\"$binds $controller\"\n"
                + "            nspawn=$1; shift\n"
                + "            set -- \"$nspawn\" \"--bind=$base:" + AppUnitSettings.CGROUPS_IN_POD + "/$controller\" \"$@\" ;;\n"
                + "        esac\n"
                + "    fi\n"
                + "    echo \"$value\" > \"$base/$unit/$file\" || { echo \"bosun: cannot set $file of $unit to $value\" >&2; exit 125; }\n"
                + "done < \"$limits\"\n";
    }

    /** The pipe between the pod's process and its watcher, in the engine directory. */
    static final String WATCH_PIPE = "watch";

    /**
     * The pod ends with its process: kill -9 of bosun run kills systemd-nspawn, which leaves its
     * container running. A watcher, forked before the run script joins the pod's cgroup, holds the
     * read end of a pipe whose one writer is this process and then systemd-nspawn (descriptor 9), so
     * it reads end-of-file when systemd-nspawn has exited for any reason, and then kills the pod's
     * cgroup, whose processes are then stray (cgroup.kill, cgroup2 on Linux 5.14 and later; gc
     * kills them elsewhere). It keeps its copy of the pod's lock until then (dash cannot close the
     * launcher's descriptor of it, above 9), so nothing of the pod runs while its lock is free; after
     * a pod that ends by itself that is a few milliseconds more.
     */
    static String watchScript() {
        return "/usr/bin/mkfifo \"${0%/*}/" + WATCH_PIPE + "\" || exit 125\n"
                + "(\n"
                + "    trap '' TERM INT HUP\n"
                + "    read -r _ <&8\n"
                + "    [ ! -f \"$hierarchy$cgroup/cgroup.kill\" ] || echo 1 > \"$hierarchy$cgroup/cgroup.kill\"\n"
                + ") 8< \"${0%/*}/" + WATCH_PIPE + "\" < /dev/null > /dev/null 2>&1 &\n"
                + "exec 9> \"${0%/*}/" + WATCH_PIPE + "\" || exit 125\n";
    }

    static String runScript() {
        return "#!/usr/bin/sh\n"
                + "# bosun nspawn engine: the pod's process (generated)\n"
                + "hierarchy=$1 name=$2\n"
                + "shift 2\n"
                + "own=\n"
                + "while IFS= read -r line; do\n"
                + "    case $line in 0::*) own=${line#0::} ;; esac\n"
                + "done < /proc/self/cgroup\n"
                + "cgroup=${own%/}/$name\n"
                + "echo \"$cgroup\" > \"${0%/*}/" + CGROUP + "\" || exit 125\n"
                + watchScript()
                + "/usr/bin/mkdir \"$hierarchy$cgroup\" || { echo \"bosun: cannot make the pod's cgroup $hierarchy$cgroup\" >&2; exit 125; }\n"
                + PodDevices.bpfPart()
                + "echo $$ > \"$hierarchy$cgroup/cgroup.procs\" || { echo \"bosun: cannot give the pod its own cgroup $hierarchy$cgroup\" >&2; exit 125; }\n"
                + legacyCgroups()
                + PodDevices.runScriptPart()
                + "/usr/bin/mkdir -p /run/systemd/nspawn || exit 125\n"
                + "/usr/bin/mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev,noexec bosun-nspawn /run/systemd/nspawn || exit 125\n"
                + PodSysfs.runScriptPart()
                + "exec \"$@\"\n";
    }
}
