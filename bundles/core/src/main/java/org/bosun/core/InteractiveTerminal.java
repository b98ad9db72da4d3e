package org.bosun.core;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.stage1.EngineCommand;

/**
 * {@code --interactive} gives the app the terminal on bosun run's standard input. Without one, each
 * engine failed in its own way (runc waited for input that never came, crun said "tcgetattr:
 * Inappropriate ioctl for device", systemd-nspawn was killed): the pod's command is checked first,
 * in the process that becomes the pod, since only that process has the caller's standard input
 * (through the agent too: the launcher execs the plan with its own descriptors).
 */
final class InteractiveTerminal {
    /** Exit code of run and run-prepared when bosun fails before the app starts. */
    static final int LAUNCH_FAILURE = 125;

    static final String MESSAGE = "bosun: --interactive needs a terminal on standard input, and this one is not:"
            + " run bosun from a terminal, or without --interactive";

    /** The check, then the engine's command in the same process (exec keeps bosun run's pid). */
    static final String CHECK_AND_EXEC = "[ -t 0 ] || { echo '" + MESSAGE + "' >&2; exit " + LAUNCH_FAILURE + "; }; "
            + "exec \"$@\"";

    private InteractiveTerminal() {
    }

    static EngineCommand checked(EngineCommand command) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", CHECK_AND_EXEC, "bosun-interactive"));
        argv.addAll(command.argv());
        return new EngineCommand(argv, command.environment(), command.workingDirectory());
    }
}
