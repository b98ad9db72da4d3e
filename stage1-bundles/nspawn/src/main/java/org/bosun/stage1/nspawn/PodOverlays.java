package org.bosun.stage1.nspawn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.stage1.PodDirectory;

/**
 * The apps' overlay root filesystems. They are mounted by the pod's engine process, in the private
 * mount namespace {@code unshare --mount} made for it, before systemd-nspawn starts: systemd-nspawn
 * binds the pod's {@code apps/} recursively, so each app's unit finds its rootfs mounted, and the
 * mounts end with the pod's namespace, whatever way the pod ends.
 */
final class PodOverlays {
    /** Mounts each (options, mount point) pair up to {@code --}, then execs the rest. */
    static final String MOUNT_AND_EXEC = "while [ \"$1\" != -- ]; do "
            + "/usr/bin/mount -t overlay overlay -o \"$1\" \"$2\" || exit 125; shift 2; done; shift; exec \"$@\"";

    private PodOverlays() {
    }

    /** The command that mounts the pod's overlays and then execs what follows it; empty when none is needed. */
    static List<String> mountStep(PodDirectory pod) {
        List<String> argv = new ArrayList<>();
        for (PodDirectory.App app : pod.apps()) {
            if (app.overlay()) {
                argv.add(options(app));
                argv.add(app.rootfs().toString());
            }
        }
        if (argv.isEmpty()) {
            return argv;
        }
        List<String> step = new ArrayList<>(List.of(NspawnEngine.SH, "-c", MOUNT_AND_EXEC, "bosun-overlays"));
        step.addAll(argv);
        step.add("--");
        return step;
    }

    static String options(PodDirectory.App app) {
        List<String> lower = new ArrayList<>();
        app.lowerDirs().forEach(p -> lower.add(p.toString()));
        return "lowerdir=" + String.join(":", lower) + ",upperdir=" + app.upperDir() + ",workdir=" + app.workDir();
    }
}
