package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.BosunException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bosun shell} is run by the launcher itself (it talks to the agent's shell socket); this
 * entry gives it a place in {@code bosun help} and refuses it when it reaches a platform.
 */
@Command(name = "shell", description = "The agent's Gogo shell: the bosun commands as bosun:list, bosun:status,"
        + " bosun:images, bosun:engines, bosun:security, bosun:providers, bosun:stop, bosun:rm, bosun:gc, bosun:fetch,"
        + " bosun:prepare ... with the CLI's flags and output, and the framework's own commands. Needs a running"
        + " agent and root; line editing, history and Tab completion on a terminal.")
final class ShellCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "-c", paramLabel = "COMMAND", description = "run one command line and exit with its status")
    String command;

    ShellCommand(Session session) {
        // the command only refuses; the session is not needed
    }

    @Override
    public Integer call() {
        throw BosunException.precondition("the shell is run by the bosun command itself, which talks to the agent's"
                + " shell socket; run 'bosun shell' from a terminal");
    }
}
