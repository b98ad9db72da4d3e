package org.bosun.command.protocol;

import java.util.List;

/**
 * A process the launcher replaces itself with (execve), so that it keeps the launcher's pid,
 * cgroup, session and terminal.
 *
 * @param argv the program (absolute path) and its arguments
 * @param environment the complete environment, {@code NAME=value}
 * @param cwd the directory to start in
 * @param claim a pod to take before the exec, or null
 */
public record ExecPlan(List<String> argv, List<String> environment, String cwd, Claim claim) {
    public ExecPlan {
        argv = List.copyOf(argv);
        environment = List.copyOf(environment);
    }

    /**
     * Taking a prepared pod: lock {@code lockFile} (which lies in {@code from}) exclusively, rename
     * {@code from} to {@code to}, write the launcher's pid to {@code pidFile} (inside {@code to}),
     * and keep the lock open across the exec so that the pod counts as running exactly as long as
     * the exec'd process lives.
     */
    public record Claim(String uuid, String lockFile, String from, String to, String pidFile) {
    }
}
