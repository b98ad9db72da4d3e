package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.pod.PodLaunch;

/**
 * Starts a {@link PodLaunch} so that it outlives its caller: the pod must never be the child of a
 * process whose death would end it (an agent killed with SIGKILL, a CLI that returned). A shell
 * takes the pod's lock itself (flock(2) on an open file description that the pod then holds alone),
 * moves the pod to run/, starts the engine's process under {@code setsid} with stdio on /dev/null,
 * writes that process's pid into the pod's pid file and exits: the pod is reparented, in a session
 * of its own, and its engine moves it into its own cgroups as for any run. This is what a launcher's
 * claim and exec do for {@code bosun run}, done where there is no launcher to exec.
 */
final class DetachedStart {
    /**
     * One constant text; its values are its arguments (lock file, prepared dir, run dir, pid file, argv).
     * The lock is on descriptor 7, which the engines' scripts leave alone (oci's supervise uses 3, 4, 8
     * and 9 of its own, and a lock on one of those would be closed in the pod's main process); the
     * launcher's lock for {@code run} is a descriptor the engines never name either.
     */
    static final String SCRIPT = "lock=$1; from=$2; to=$3; pidfile=$4; shift 4\n"
            + "exec 7<>\"$lock\" || exit 71\n"
            // A process forked while another thread held this lock keeps a copy until its exec.
            + "/usr/bin/flock -x -w 2 7 || exit 75\n"
            + "/usr/bin/mv -T \"$from\" \"$to\" || exit 71\n"
            + "/usr/bin/setsid \"$@\" < /dev/null > /dev/null 2>&1 &\n"
            + "echo $! > \"$pidfile.tmp\" && /usr/bin/mv -f \"$pidfile.tmp\" \"$pidfile\"\n";
    private static final int IN_USE = 75;
    private static final long WAIT_SECONDS = 30;

    private DetachedStart() {
    }

    static void start(PodLaunch launch) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "sh",
                launch.preparedDir().resolve(launch.lockFileName()).toString(), launch.preparedDir().toString(),
                launch.runDir().toString(), launch.runDir().resolve(launch.pidFileName()).toString()));
        argv.addAll(launch.command().argv());
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(new java.io.File(launch.command().workingDirectory()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = builder.environment();
        env.clear();
        for (String entry : launch.command().environment()) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        int code;
        String errors;
        try {
            Process shell = builder.start();
            if (!shell.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                shell.destroyForcibly();
                throw BosunException.deadlineExceeded("pod " + launch.uuid() + " did not start within "
                        + WAIT_SECONDS + " s");
            }
            code = shell.exitValue();
            errors = new String(shell.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw BosunException.internal("cannot start pod " + launch.uuid() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("starting pod " + launch.uuid() + " was cancelled");
        }
        if (code == IN_USE) {
            throw BosunException.precondition("pod " + launch.uuid() + " is in use by another bosun process; see"
                    + " 'bosun status " + launch.uuid() + "'");
        }
        if (code != 0) {
            throw BosunException.precondition("pod " + launch.uuid() + " could not be started (it is no longer"
                    + " prepared, or its directory cannot be moved)" + (errors.isEmpty() ? "" : ": "
                    + errors.replace('\n', ' ')));
        }
    }
}
