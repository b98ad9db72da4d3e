package org.bosun.cli;

import org.bosun.api.pod.PodLaunch;
import org.bosun.launch.ExecPlan;

/** Turns a {@link PodLaunch} into the plan the launcher executes. */
final class Launches {
    private Launches() {
    }

    static ExecPlan plan(Session session, PodLaunch launch) {
        ExecPlan plan = new ExecPlan(launch.command().argv(), launch.command().environment(),
                launch.command().workingDirectory(),
                new ExecPlan.Claim(launch.uuid(), launch.preparedDir().resolve(launch.lockFileName()).toString(),
                        launch.preparedDir().toString(), launch.runDir().toString(),
                        launch.runDir().resolve(launch.pidFileName()).toString()));
        session.debug("pod " + launch.uuid() + " runs as " + String.join(" ", plan.argv()));
        return plan;
    }
}
