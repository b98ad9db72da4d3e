package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.pod.PodInfo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prepare", description = "Prepare a pod to run later with run-prepared; prints its UUID.")
final class PrepareCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Mixin
    PrepareFlags pod;

    @Option(names = "--quiet", description = "print only the UUID")
    boolean quiet;

    private final Session session;

    PrepareCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        PodInfo info = session.pods().prepare(session.paths(), pod.request(session), TerminalProgress.of(session));
        pod.saveUuid(session, info.uuid());
        Launches.debugNotes(session, info.directory());
        session.out.println(info.uuid());
        return 0;
    }
}
