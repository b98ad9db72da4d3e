package org.bosun.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "stop", description = "Stop running pods (SIGTERM to the engine, SIGKILL with --force); a pod that has already exited is left as it is (exit 0).")
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
        return NamedPods.forEach(session, "stop", uuids, uuidFile, pod -> {
            try {
                session.pods().stop(session.paths(), pod, force);
                session.out.println(pod);
            } catch (BosunException e) {
                // rkt: a pod that has run and exited is already stopped, which is what the caller wants.
                PodInfo info = e.kind() == ErrorKind.FAILED_PRECONDITION ? session.pods().status(session.paths(), pod)
                        : null;
                if (info == null || !hasRun(info.state())) {
                    throw e;
                }
                session.out.println("pod " + info.uuid() + " is already stopped");
            }
        });
    }

    private static boolean hasRun(PodState state) {
        return state == PodState.EXITED || state == PodState.EXITED_GARBAGE;
    }
}
