package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.pod.LaunchSettings;
import org.bosun.api.pod.PodInfo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run",
        description = "Prepare a pod and run it in the foreground. bosun becomes the pod's process (same pid, cgroup and terminal) and exits with the app's exit code (with several apps: the first non-zero one in the order given); 125 if bosun fails before the app starts.")
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Mixin
    PodOptions pod;

    private final Session session;

    RunCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        try (CgroupMigrationPrimer primer = CgroupMigrationPrimer.start()) {
            PodInfo info = session.pods().prepare(session.paths(), pod.request(session), TerminalProgress.of(session));
            pod.saveUuid(session, info.uuid());
            session.plan = Launches.plan(session, session.pods().launch(session.paths(), info.uuid(), LaunchSettings.NONE));
            primer.linger();
        }
        return 0;
    }
}
