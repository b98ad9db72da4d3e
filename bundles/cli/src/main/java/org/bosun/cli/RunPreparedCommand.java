package org.bosun.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run-prepared",
        description = "Run a prepared pod in the foreground; bosun becomes the pod's process.")
final class RunPreparedCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "UUID", description = "the prepared pod")
    List<String> uuid;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE")
    String uuidFile;

    private final Session session;

    RunPreparedCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        String pod = PodArguments.one(session, uuid, uuidFile);
        session.plan = Launches.plan(session, session.pods().launch(session.paths(), pod));
        return 0;
    }
}
