package org.bosun.stage1.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.stage1.PodDirectory;
import org.bosun.stage1.rules.CriLogFormat;
import org.bosun.stage1.rules.TerminalHolder;

/**
 * The two POSIX shell scripts that are the pod's process (no JVM stays in the pod's tree), each one
 * constant text, a resource of this bundle, copied into every pod at prepare:
 *
 * <ul>
 * <li>{@code engine/run}, exec'd by bosun: gives the pod a cgroup {@code bosun-<uuid>} below the
 * caller's in every hierarchy, records them in {@code engine/cgroups} for gc, moves itself in, then
 * becomes {@code engine/supervise} in a mount namespace of its own, a new cgroup namespace rooted
 * there, and the pod's new IPC and UTS namespaces (unless an infra container holds them, see
 * {@link ContainerSpecs});</li>
 * <li>{@code engine/supervise}: the cgroup hierarchies remounted to show the pod's own, the pod's
 * hostname, the apps' overlays, the infra container, then one container per app with its
 * handlers, their output, logs and exit codes, and their stop;</li>
 * <li>{@code engine/ttyhold} ({@link TerminalHolder}, shared with the nspawn engine), a Python 3 program (Debian's /usr/bin/python3): the terminal holder of
 * an added app with the {@code tty} I/O mode, which runs its container with a console socket, keeps
 * the pty's master it receives (SCM_RIGHTS), copies its output into the app's output pipe and to
 * attached clients ({@code apps/NAME/tty}), their input to it, and sets their window sizes;</li>
 * <li>{@code engine/cri-forward.awk} and {@code engine/cri-log.awk} ({@link CriLogFormat}, shared with
 * the nspawn engine), the forwarders and writer of an added app's CRI log, which the supervisor runs.</li>
 * </ul>
 *
 * What differs from pod to pod is data the scripts read, {@code engine/plan} ({@link PodPlan}); no
 * value of a pod is ever part of the scripts' code. Both scripts find the pod from their own path,
 * since the pod directory moves from prepared/ to run/ after they are written. Every fork costs
 * about a millisecond of every {@code bosun run}, so the scripts use shell builtins wherever they
 * can, and one command for many files where they cannot.
 */
final class SupervisorScript {
    static final String SH = "/usr/bin/sh";
    static final String UNSHARE = "/usr/bin/unshare";
    static final String AWK = "/usr/bin/awk";
    /** The scripts, by their names in the pod's engine directory (and in this bundle). */
    static final List<String> SCRIPTS = List.of("run", "supervise", "ttyhold", CriLogFormat.FORWARDER,
            CriLogFormat.WRITER);
    /** Those of the {@link #SCRIPTS} that are POSIX shell scripts. */
    static final List<String> SHELL_SCRIPTS = List.of("run", "supervise");

    private SupervisorScript() {
    }

    /** The constant text of one of the {@link #SCRIPTS}. */
    static String text(String script) {
        if (script.equals("ttyhold")) {
            // the holder every engine runs alike (the stage1 rules bundle's)
            return TerminalHolder.program();
        }
        if (script.equals(CriLogFormat.FORWARDER) || script.equals(CriLogFormat.WRITER)) {
            return CriLogFormat.program(script);
        }
        try (InputStream in = SupervisorScript.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("the oci engine bundle lacks its script " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The overlay's mount options, paths inside the pod relative to it (the scripts run there). */
    static String overlayOptions(PodDirectory pod, PodDirectory.App app) {
        StringBuilder lower = new StringBuilder();
        for (Path dir : app.lowerDirs()) {
            lower.append(lower.length() == 0 ? "" : ":").append(inPod(pod, dir));
        }
        return "lowerdir=" + lower + ",upperdir=" + inPod(pod, app.upperDir()) + ",workdir=" + inPod(pod, app.workDir());
    }

    static String inPod(PodDirectory pod, Path path) {
        Path p = path.toAbsolutePath().normalize();
        return p.startsWith(pod.path()) ? pod.path().relativize(p).toString() : p.toString();
    }
}
