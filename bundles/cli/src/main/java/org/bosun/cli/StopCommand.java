package org.bosun.cli;

import java.util.List;
import java.util.concurrent.Callable;


import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "stop", description = "Stop running pods (SIGTERM to the engine, SIGKILL with --force).")
final class StopCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(paramLabel = "UUID", arity = "0..*", description = "pods to stop")
    List<String> uuids;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read a pod's UUID from FILE")
    String uuidFile;

    @Option(names = "--force", description = "kill the pod instead of asking it to stop")
    boolean force;

    private final Session session;

    StopCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        return PodArguments.forEach(session, "stop", uuids, uuidFile, pod -> {
            session.pods().stop(session.paths(), pod, force);
            session.out.println(pod);
        });
    }
}
