package org.bosun.launch;

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
 */
public record Invocation(List<String> args, Map<String, String> environment, String cwd, int uid, int gid,
        boolean stdoutTerminal, int columns) {
    public Invocation {
        args = List.copyOf(args);
        environment = Map.copyOf(environment);
    }
}
