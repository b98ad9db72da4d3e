package org.bosun.cli;

import java.util.List;
import java.util.concurrent.Callable;


import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rm", description = "Remove prepared or exited pods now.")
final class RmCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(paramLabel = "UUID", arity = "0..*", description = "pods to remove")
    List<String> uuids;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read a pod's UUID from FILE")
    String uuidFile;

    private final Session session;

    RmCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        return NamedPods.forEach(session, "rm", uuids, uuidFile, pod -> {
            session.pods().remove(session.paths(), pod);
            session.out.println("\"" + pod + "\"");
        });
    }
}
