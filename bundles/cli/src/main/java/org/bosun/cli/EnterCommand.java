package org.bosun.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.stage1.EngineCommand;
import org.bosun.command.protocol.ExecPlan;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "enter",
        description = "Run a command (default /bin/sh) inside an app of a running pod. bosun becomes that command, so its terminal, input and exit code are the command's.")
final class EnterCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--app", paramLabel = "NAME", description = "the app to enter (needed when the pod has several)")
    String app;

    @Parameters(index = "0", paramLabel = "UUID", description = "the running pod")
    String uuid;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "the command and its arguments")
    List<String> command = new ArrayList<>();

    private final Session session;

    EnterCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        EngineCommand cmd = session.pods().enter(session.paths(), uuid, app, command);
        session.plan = new ExecPlan(cmd.argv(), cmd.environment(), cmd.workingDirectory(), null);
        session.debug("entering pod " + uuid + " with " + String.join(" ", cmd.argv()));
        return 0;
    }
}
