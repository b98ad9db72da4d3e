package org.bosun.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.pod.LaunchSettings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run-prepared",
        description = {"Run a prepared pod in the foreground; bosun becomes the pod's process.",
                "--net, --dns*, --hostname and --interactive replace what the pod was prepared with (as rkt, which set"
                        + " a pod's network up here): its network is set up again with them."})
final class RunPreparedCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "UUID", description = "the prepared pod")
    List<String> uuid;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE")
    String uuidFile;

    @Mixin
    NetworkFlags network;

    @Option(names = "--interactive", arity = "0..1", paramLabel = "true|false",
            description = "run the (single) app with the caller's terminal and stdin")
    Boolean interactive;

    private final Session session;

    RunPreparedCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        String pod = NamedPods.one(session, uuid, uuidFile);
        LaunchSettings settings = new LaunchSettings(PodFlagParser.networks(network.networks),
                network.dnsGiven() ? network.dns() : null, network.hostname, interactive);
        session.plan = Launches.plan(session, session.pods().launch(session.paths(), pod, settings));
        return 0;
    }
}
