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
import org.osgi.service.component.annotations.Component;

/**
 * The fly engine: like rkt's fly flavour, it runs a single app with no isolation at all. The pod's
 * process is util-linux {@code unshare} with no namespace flags, used only for what it does before
 * exec: chroot into the app's rootfs, change directory, set the group and the user. Because the
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
        requireTool();
        PodDirectory.App app = onlyApp(pod);
        if (!existsInRootfs(app, app.workingDirectory())) {
            throw BosunException.invalid("working directory " + app.workingDirectory() + " of app " + app.name()
                    + " does not exist in its image; give an existing one with --working-dir");
        }
    }

    @Override
    public EngineCommand run(PodDirectory pod) {
        PodDirectory.App app = onlyApp(pod);
        EngineCommand chroot = chroot(app, app.exec(), app.workingDirectory());
        List<String> argv = new ArrayList<>(List.of(SH, "-c", RECORD_START_AND_EXEC, "fly-start",
                pod.path().resolve("apps").resolve(app.name()).resolve("started").toString()));
        if (app.overlay() || pod.settings().interactive()) {
            // The overlay and the terminal live in a mount namespace of the pod's own: they go when the app exits.
            argv.addAll(List.of(UNSHARE, "--mount", "--propagation", "private", "--"));
        }
        if (app.overlay()) {
            argv.addAll(List.of(SH, "-c", MOUNT_OVERLAY_AND_EXEC, "fly-overlay", overlayOptions(app),
                    app.rootfs().toString()));
        }
        if (pod.settings().interactive()) {
            argv.addAll(List.of(SH, "-c", BIND_TERMINAL_AND_EXEC, "fly-terminal", app.rootfs().toString()));
        }
        argv.addAll(chroot.argv());
        return new EngineCommand(argv, chroot.environment(), chroot.workingDirectory());
    }

    /**
     * $1: the app's {@code started} record (see Stage1Engine), then the command to exec. fly cannot
     * tell when the app itself runs: the start is recorded as it is exec'd. A record that cannot be
     * written does not keep the app from running ({@code true} is not a special built-in: a failed
     * redirection does not end the shell).
     */
    static final String RECORD_START_AND_EXEC = "true 2>/dev/null > \"$1\"; shift; exec \"$@\"";

    /** $1: the overlay's options, $2: where to mount it, then the command to exec. */
    static final String MOUNT_OVERLAY_AND_EXEC = "/usr/bin/mount -t overlay overlay -o \"$1\" \"$2\" || exit 125; "
            + "shift 2; exec \"$@\"";

    /**
     * $1: the app's rootfs, then the command to exec. The app of an {@code --interactive} pod has
     * bosun run's terminal as its standard streams, but a chroot has no /dev: without the host's
     * devpts and /dev/tty in it, {@code tty} says "not a tty" and nothing can open /dev/tty (rkt fly
     * bound the host's /dev). A link in the image's place would point the bind elsewhere: refused.
     */
    static final String BIND_TERMINAL_AND_EXEC = "for p in dev dev/pts dev/tty; do "
            + "if [ -L \"$1/$p\" ]; then echo \"bosun: /$p in the app's rootfs is a symbolic link; fly cannot give"
            + " the app the terminal there\" >&2; exit 125; fi; done; "
            + "/usr/bin/mkdir -p \"$1/dev/pts\" && { [ -e \"$1/dev/tty\" ] || : > \"$1/dev/tty\"; } "
            + "&& /usr/bin/mount --bind /dev/pts \"$1/dev/pts\" && /usr/bin/mount --bind /dev/tty \"$1/dev/tty\" || exit 125; "
            + "shift; exec \"$@\"";

    static String overlayOptions(PodDirectory.App app) {
        List<String> lower = new ArrayList<>();
        app.lowerDirs().forEach(p -> lower.add(p.toString()));
        return "lowerdir=" + String.join(":", lower) + ",upperdir=" + app.upperDir() + ",workdir=" + app.workDir();
    }

    /** Whether {@code path} exists in the app's rootfs, or, for an overlay not mounted yet, in a layer. */
    static boolean existsInRootfs(PodDirectory.App app, String path) {
        String relative = path.substring(1);
        if (!app.overlay()) {
            return Files.isDirectory(app.rootfs().resolve(relative));
        }
        if (Files.isDirectory(app.upperDir().resolve(relative))) {
            return true;
        }
        return app.lowerDirs().stream().anyMatch(l -> Files.isDirectory(l.resolve(relative)));
    }

    @Override
    public EngineCommand enter(PodDirectory pod, String appName, List<String> command) {
        PodDirectory.App app = onlyApp(pod);
        if (appName != null && !appName.equals(app.name())) {
            throw BosunException.notFound("pod " + pod.uuid() + " has no app '" + appName + "'; its app is " + app.name());
        }
        List<String> cmd = command.isEmpty() ? List.of("/bin/sh") : command;
        EngineCommand chroot = chroot(app, cmd, "/");
        if (!app.overlay()) {
            return chroot;
        }
        // The app's rootfs is mounted only in the pod's mount namespace: enter it first.
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
