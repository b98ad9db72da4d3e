package org.bosun.api.stage1;

import java.util.List;

/**
 * A process to exec: the stage1 engine's process for {@code run}, or a helper for {@code enter}.
 *
 * @param argv the program (an absolute path) and its arguments
 * @param environment the whole environment, as {@code NAME=value} entries
 * @param workingDirectory the directory to start in
 */
public record EngineCommand(List<String> argv, List<String> environment, String workingDirectory) {
    public EngineCommand {
        if (argv.isEmpty() || !argv.get(0).startsWith("/")) {
            throw new IllegalArgumentException("an engine command starts with an absolute program path: " + argv);
        }
        argv = List.copyOf(argv);
        environment = List.copyOf(environment);
    }
}
