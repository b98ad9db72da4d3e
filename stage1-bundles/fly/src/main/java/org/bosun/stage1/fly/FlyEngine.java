package org.bosun.stage1.fly;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.EngineCapabilities;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.stage1.rules.EtcMountPoints;
import org.osgi.service.component.annotations.Component;

/**
 * The fly engine: like rkt's fly flavour, it runs a single app with no isolation at all. The pod's
 * process is util-linux {@code unshare}: first with a private mount namespace, in which the app's
 * rootfs gets what rkt's fly mounted (the host's /proc, /dev, /sys and /tmp, the pod's volumes and
 * its resolv.conf; see {@link #mounts}) without any of it reaching the host's; then with no
 * namespace flags, used only for what it does before exec: chroot into the app's rootfs, change
 * directory, set the group and the user. Because the
 * launcher execs it and it execs the app, the app keeps the pid of {@code bosun run}, and nothing
 * supervises it: as with rkt fly, no exit status is recorded beyond the exit code of {@code run}
 * (the app's start is, as it is exec'd: {@code bosun status} shows it running, then exited).
 */
@Component(service = Stage1Engine.class)
@Stage1EngineService(name = "fly", abiVersion = 1, description = "one app, chroot, no isolation (rkt fly)")
public final class FlyEngine implements Stage1Engine {
    static final String UNSHARE = "/usr/bin/unshare";
    static final String NSENTER = "/usr/bin/nsenter";
    static final String SH = "/bin/sh";

    @Override
    public EngineCapabilities capabilities() {
        return new EngineCapabilities(1, false, false);
    }

    @Override
    public void prepare(PodDirectory pod) {
        refusePodPid(pod);
        requireTool();
        onlyApp(pod);
    }

    /** The oci engine's {@code pid=pod}: fly's app has the host's PID namespace, which it cannot share as asked. */
    static void refusePodPid(PodDirectory pod) {
        if ("pod".equals(pod.settings().engineOptions().get("pid"))) {
            throw BosunException.invalid("stage1 engine fly runs its app in the host's PID namespace and gives the pod"
                    + " none to share; leave out --stage1-option=pid=pod (fly's app is where pid=host puts the oci"
                    + " engine's), or use --stage1-name=oci");
        }
    }

    @Override
    public EngineCommand run(PodDirectory pod) {
        PodDirectory.App app = onlyApp(pod);
        EngineCommand chroot = chroot(app, app.exec(), app.workingDirectory());
        List<String> argv = new ArrayList<>(List.of(SH, "-c", RECORD_START_AND_EXEC, "fly-start",
                pod.path().resolve("apps").resolve(app.name()).resolve("started").toString()));
        // The overlay and every mount live in a mount namespace of the pod's own, private, so that
        // nothing reaches the host's and everything goes when the app exits.
        argv.addAll(List.of(UNSHARE, "--mount", "--propagation", "private", "--", SH, "-c", MOUNT_AND_EXEC,
                "fly-mounts", app.overlay() ? overlayOptions(app) : "", app.rootfs().toString()));
        for (Mount m : mounts(pod, app)) {
            argv.addAll(List.of(m.source(), m.target(), m.how()));
        }
        argv.add("--");
        argv.addAll(chroot.argv());
        return new EngineCommand(argv, chroot.environment(), chroot.workingDirectory());
    }

    /**
     * One mount of the app's: a host path, where it goes in the app, and how ({@code bind} or
     * {@code rbind}, then {@code ,ro} for read-only and {@code ,optional} for a source that may be
     * missing), as {@link #MOUNT_AND_EXEC} takes them.
     */
    record Mount(String source, String target, String how) {
    }

    /** The host's trees rkt's fly gave every app (recursively: /dev/pts, /sys/fs/cgroup, ... come along). */
    static final List<String> HOST_TREES = List.of("/proc", "/dev", "/sys", "/tmp");

    /**
     * What rkt's fly mounted: the host's {@link #HOST_TREES}, then the app's volumes ({@code --volume}
     * with {@code --mount}, and its image's mount points), then the pod's resolv.conf ({@code --dns}),
     * unless a volume is mounted there. The app shares the host's network and UTS namespaces, so its
     * /etc/hosts and /etc/hostname stay its image's.
     */
    static List<Mount> mounts(PodDirectory pod, PodDirectory.App app) {
        List<Mount> mounts = new ArrayList<>();
        for (String tree : HOST_TREES) {
            mounts.add(new Mount(tree, tree, "rbind"));
        }
        for (PodDirectory.Mount m : app.mounts()) {
            mounts.add(new Mount(m.source().toString(), m.target(), (m.recursive() ? "rbind" : "bind")
                    + (m.readOnly() ? ",ro" : "")));
        }
        // The pod directory is not where run's paths say yet: the script binds the file if the pod has it.
        if (pod.settings().etcDir() != null && !EtcMountPoints.mountedOver(app, RESOLV_CONF)) {
            mounts.add(new Mount(pod.settings().etcDir().resolve(RESOLV_CONF).toString(), "/etc/" + RESOLV_CONF,
                    "bind,ro,optional"));
        }
        return mounts;
    }

    static final String RESOLV_CONF = "resolv.conf";

    /**
     * $1: the app's {@code started} record (see Stage1Engine), then the command to exec. fly cannot
     * tell when the app itself runs: the start is recorded as it is exec'd. A record that cannot be
     * written does not keep the app from running ({@code true} is not a special built-in: a failed
     * redirection does not end the shell).
     */
    static final String RECORD_START_AND_EXEC = "true 2>/dev/null > \"$1\"; shift; exec \"$@\"";

    /**
     * Run in the pod's private mount namespace. $1: the overlay's options (empty for a rootfs that is
     * a copy), $2: the app's rootfs, then each {@link Mount} as three words, {@code --}, and the
     * command to exec. A target is made if it is missing (a directory, or an empty file for a file),
     * always inside the rootfs: a target whose path passes through a symbolic link of the image is
     * refused, since the host's mount would follow it out of the rootfs; only a file's own last
     * component may be a link, which is then replaced by a file (in the app's copy or upper layer,
     * never in the store), as the isolating engines do for the etc files.
     */
    static final String MOUNT_AND_EXEC = String.join("\n",
            "fail() { echo \"bosun: fly: $*\" >&2; exit 125; }",
            "if [ -n \"$1\" ]; then",
            "    /usr/bin/mount -t overlay overlay -o \"$1\" \"$2\" || fail \"cannot mount the app's rootfs $2\"",
            "fi",
            "root=$2",
            "shift 2",
            "while [ \"$1\" != -- ]; do",
            "    source=$1 target=$2 how=,$3,",
            "    shift 3",
            "    case $how in *,optional,*) [ -e \"$source\" ] || continue ;; esac",
            "    path=$root rest=${target#/}",
            "    while [ -n \"$rest\" ]; do",
            "        part=${rest%%/*}",
            "        case $rest in */*) rest=${rest#*/} ;; *) rest='' ;; esac",
            "        case $part in",
            "        '' | .) continue ;;",
            "        ..) fail \"the mount target $target climbs out of the app's root\" ;;",
            "        esac",
            "        path=$path/$part",
            "        if [ -L \"$path\" ]; then",
            "            if [ -n \"$rest\" ] || [ -d \"$source\" ]; then",
            "                fail \"the mount target $target passes through a symbolic link in the image; mount the volume"
                    + " where the image has real directories\"",
            "            fi",
            "            /usr/bin/rm -f \"$path\" || fail \"cannot replace the link $target in the app\"",
            "        fi",
            "    done",
            "    if [ ! -e \"$path\" ]; then",
            "        if [ -d \"$source\" ]; then",
            "            /usr/bin/mkdir -p \"$path\"",
            "        else",
            "            /usr/bin/mkdir -p \"${path%/*}\" && : > \"$path\"",
            "        fi || fail \"cannot make the mount point $target in the app\"",
            "    fi",
            "    case $how in",
            "    ,rbind,*) /usr/bin/mount --rbind \"$source\" \"$path\" ;;",
            "    *) /usr/bin/mount --bind \"$source\" \"$path\" ;;",
            "    esac || fail \"cannot mount $source on $target\"",
            "    case $how in",
            "    *,ro,*) /usr/bin/mount -o remount,bind,ro \"$path\" || fail \"cannot make $target read-only\" ;;",
            "    esac",
            "done",
            "shift",
            "exec \"$@\"");

    static String overlayOptions(PodDirectory.App app) {
        List<String> lower = new ArrayList<>();
        app.lowerDirs().forEach(p -> lower.add(p.toString()));
        return "lowerdir=" + String.join(":", lower) + ",upperdir=" + app.upperDir() + ",workdir=" + app.workDir();
    }

    @Override
    public EngineCommand enter(PodDirectory pod, String appName, List<String> command) {
        PodDirectory.App app = onlyApp(pod);
        if (appName != null && !appName.equals(app.name())) {
            throw BosunException.notFound("pod " + pod.uuid() + " has no app '" + appName + "'; its app is " + app.name());
        }
        List<String> cmd = command.isEmpty() ? List.of("/bin/sh") : command;
        EngineCommand chroot = chroot(app, cmd, "/");
        // The app's rootfs and its mounts are only in the pod's mount namespace: enter it first.
        long pid = podPid(pod);
        List<String> argv = new ArrayList<>(List.of(NSENTER, "--target", Long.toString(pid), "--mount", "--"));
        argv.addAll(chroot.argv());
        return new EngineCommand(argv, chroot.environment(), chroot.workingDirectory());
    }

    private static long podPid(PodDirectory pod) {
        try {
            return Long.parseLong(Files.readString(pod.path().resolve("pid")).trim());
        } catch (java.io.IOException | NumberFormatException e) {
            throw BosunException.precondition("pod " + pod.uuid() + " is not running (no pid recorded); see bosun status "
                    + pod.uuid());
        }
    }

    @Override
    public void stop(PodDirectory pod, long pid, boolean force) {
        ProcessHandle.of(pid).ifPresent(p -> {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        });
    }

    @Override
    public void gc(PodDirectory pod) {
        // fly makes no cgroups and no mounts on the host (an overlay lives in the pod's own mount
        // namespace and goes with it): the pod directory is all there is.
    }

    private static EngineCommand chroot(PodDirectory.App app, List<String> command, String workingDirectory) {
        requireTool();
        List<String> argv = new ArrayList<>(List.of(UNSHARE, "--root=" + app.rootfs(), "--wd=" + workingDirectory,
                "--setgid=" + Integer.toUnsignedString(app.gid()), "--setuid=" + Integer.toUnsignedString(app.uid()),
                "--"));
        argv.addAll(command);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return new EngineCommand(argv, env, "/");
    }

    private static PodDirectory.App onlyApp(PodDirectory pod) {
        if (pod.apps().size() != 1) {
            throw BosunException.invalid("the fly engine runs exactly one app per pod; pod " + pod.uuid() + " has "
                    + pod.apps().size());
        }
        return pod.apps().get(0);
    }

    private static void requireTool() {
        if (!Files.isExecutable(Path.of(UNSHARE))) {
            throw BosunException.unavailable("the fly engine needs " + UNSHARE + " (util-linux); install it");
        }
    }
}
