package org.bosun.stage1.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

/**
 * The volumes of an added app whose mounts propagate (rslave, rshared). The pod's supervisor lives
 * in a mount namespace of its own, made private when the pod started (engine/run): a mount the host
 * makes later never reaches it, and nothing it mounts reaches the host. So the engine, in the
 * caller's namespace (the agent's: the host's), clones the host's mount of each such volume
 * ({@code open_tree(OPEN_TREE_CLONE | AT_RECURSIVE)}, which keeps the clone in the source's peer
 * group, or makes it a slave of the same master) and attaches it in the supervisor's namespace at
 * {@code engine/volumes/APP/N} ({@code move_mount}) just before the app starts. The container binds
 * it with the propagation asked and its root rslave or rshared (see {@link MountOpts}), so a mount
 * made on the host below the volume reaches the app, and with rshared the app's reach the host.
 * The attach point's parent is private in the supervisor's namespace: attaching and detaching
 * propagate nowhere. The supervisor makes each clone private before it detaches it when the app is
 * removed (plan lines {@code staged PATH}), so that no unmount propagates to the host; the pod's end
 * drops them with its namespace. The syscalls come from python3 (ctypes), run with a constant program.
 */
final class VolumeStaging {
    static final String DIR = "volumes";
    private static final String PROGRAM = program();

    private VolumeStaging() {
    }

    static Path path(PodDirectory pod, String app, int index) {
        return pod.stage1Dir().resolve(DIR).resolve(app).resolve(Integer.toString(index));
    }

    /** The supervisor's plan lines of the app's staged volumes: {@code staged PATH} each. */
    static String planLines(PodDirectory pod, PodDirectory.App app) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < app.mounts().size(); i++) {
            if (app.mounts().get(i).propagates()) {
                out.append("staged ").append(path(pod, app.name(), i)).append('\n');
            }
        }
        return out.toString();
    }

    /** Refuses propagating volumes where the engine cannot stage them: an app the pod started with. */
    static void refuseInitial(PodDirectory.App app) {
        for (PodDirectory.Mount m : app.mounts()) {
            if (m.propagates()) {
                throw BosunException.notImplemented("app " + app.name() + " mounts volume " + m.volume() + " with "
                        + m.propagation() + " propagation, which the oci engine gives only to apps added to a"
                        + " sandbox; add the app to a sandbox (bosun app add), or leave the propagation private");
            }
        }
    }

    /**
     * Attaches the app's propagating volumes in the supervisor's namespace. If one fails, those attached
     * before it stay until the app is removed: the supervisor's {@code rm_app} detaches every
     * {@code staged} path of the app that is a mount point.
     */
    static void attach(PodDirectory pod, PodDirectory.App app, long supervisor) {
        Path ns = Path.of("/proc", Long.toString(supervisor), "ns", "mnt");
        try {
            // never into this process's own namespace: that would mount on the host
            if (Files.readSymbolicLink(ns).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")))) {
                throw BosunException.precondition("pod " + pod.uuid() + " is still starting (its supervisor has no"
                        + " mount namespace of its own yet); start app " + app.name() + " again");
            }
        } catch (IOException e) {
            throw BosunException.precondition("pod " + pod.uuid() + " has no running supervisor: " + e.getMessage());
        }
        for (int i = 0; i < app.mounts().size(); i++) {
            PodDirectory.Mount m = app.mounts().get(i);
            if (!m.propagates()) {
                continue;
            }
            Path target = path(pod, app.name(), i);
            String where = "volume " + m.volume() + " (" + m.source() + " at " + m.target() + ") of app " + app.name();
            if (!Files.isDirectory(m.source())) {
                throw BosunException.precondition(where + ": " + m.source() + " is not a directory on this host;"
                        + " only a directory's mounts propagate");
            }
            try {
                Files.createDirectories(target);
            } catch (IOException e) {
                throw BosunException.internal("cannot make " + target + " for " + where + ": " + e.getMessage(), e);
            }
            run(where, List.of(OciEngine.PYTHON3, "-c", PROGRAM, m.source().toString(), ns.toString(),
                    target.toString()));
        }
    }

    private static void run(String where, List<String> argv) {
        if (!Files.isExecutable(Path.of(OciEngine.PYTHON3))) {
            throw BosunException.notImplemented(where + ": propagation needs " + OciEngine.PYTHON3
                    + ", which this host lacks; install python3 or leave the propagation private");
        }
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.internal(where + ": attaching it to the pod took more than 30 s", null);
            }
            if (p.exitValue() != 0) {
                throw BosunException.precondition(where + ": cannot attach it to the pod's mount namespace: " + out);
            }
        } catch (IOException e) {
            throw BosunException.internal(where + ": cannot run " + OciEngine.PYTHON3 + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled(where + ": attaching it was cancelled");
        }
    }

    private static String program() {
        try (InputStream in = VolumeStaging.class.getResourceAsStream("attach-volume.py")) {
            if (in == null) {
                throw new IllegalStateException("the oci engine bundle lacks attach-volume.py");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
