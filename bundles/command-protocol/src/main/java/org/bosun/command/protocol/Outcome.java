package org.bosun.command.protocol;

/**
 * How a command ended: with an exit code, or with a process to exec.
 *
 * @param exitCode the exit code when {@code plan} is null
 * @param plan the process to become, or null
 */
public record Outcome(int exitCode, ExecPlan plan) {
    public static Outcome exit(int code) {
        return new Outcome(code, null);
    }

    public static Outcome exec(ExecPlan plan) {
        return new Outcome(0, plan);
    }
}
