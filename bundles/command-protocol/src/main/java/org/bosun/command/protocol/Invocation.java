package org.bosun.command.protocol;

import java.util.List;
import java.util.Map;

/**
 * One command as the user typed it, with the caller's context.
 *
 * @param args the arguments after {@code bosun}
 * @param environment the caller's environment
 * @param cwd the caller's working directory
 * @param uid the caller's user id (from SO_PEERCRED when it came over the agent socket)
 * @param gid the caller's group id
 * @param stdoutTerminal whether the caller's standard output is a terminal
 * @param columns the terminal width, or 0
 * @param stderrTerminal whether the caller's standard error is a terminal (progress bars go there)
 */
public record Invocation(List<String> args, Map<String, String> environment, String cwd, int uid, int gid,
        boolean stdoutTerminal, int columns, boolean stderrTerminal) {
    public Invocation {
        args = List.copyOf(args);
        environment = Map.copyOf(environment);
    }

    /** An invocation whose standard error is not a terminal. */
    public Invocation(List<String> args, Map<String, String> environment, String cwd, int uid, int gid,
            boolean stdoutTerminal, int columns) {
        this(args, environment, cwd, uid, gid, stdoutTerminal, columns, false);
    }
}
