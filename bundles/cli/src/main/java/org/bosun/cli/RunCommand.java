package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.pod.PodLaunch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run",
        description = "Prepare a pod and run it in the foreground. bosun becomes the pod's process (same pid, cgroup and terminal) and exits with the app's exit code (with several apps: the first non-zero one in the order given); 125 if bosun fails before the app starts.")
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Mixin
    PrepareFlags pod;

    private final Session session;

    RunCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        PodLaunch launch = session.pods().run(session.paths(), pod.request(session), TerminalProgress.of(session),
                prepared -> pod.saveUuid(session, prepared.uuid()));
        session.plan = Launches.plan(session, launch);
        return 0;
    }
}
