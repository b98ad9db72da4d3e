package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.pod.GcReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gc",
        description = "Garbage-collect pods: exited pods are marked and deleted after the grace period; aborted preparations and prepared pods older than --expire-prepared are deleted.")
final class GcCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--grace-period", paramLabel = "DURATION", description = "how long exited pods are kept (default 30m)")
    String gracePeriod = "30m";

    @Option(names = "--expire-prepared", paramLabel = "DURATION",
            description = "how long prepared pods are kept (default 24h)")
    String expirePrepared = "24h";

    @Option(names = "--mark-only", arity = "0..1", paramLabel = "true|false",
            description = "move exited and aborted pods to garbage (marking their exit time) and delete nothing")
    boolean markOnly;

    private final Session session;

    GcCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        GcReport report = session.pods().gc(session.paths(), Durations.parse(gracePeriod, "--grace-period"),
                Durations.parse(expirePrepared, "--expire-prepared"), markOnly);
        report.marked().forEach(uuid -> session.out.println("Moving pod \"" + uuid + "\" to garbage"));
        report.removed().forEach(uuid -> session.out.println("Garbage collecting pod \"" + uuid + "\""));
        report.failures().forEach(line -> session.err.println("bosun gc: " + line));
        return report.failures().isEmpty() ? 0 : 1;
    }
}
