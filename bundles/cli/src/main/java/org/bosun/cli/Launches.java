package org.bosun.cli;

import org.bosun.api.pod.PodLaunch;
import org.bosun.command.protocol.ExecPlan;

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
        debugNotes(session, launch.preparedDir());
        session.debug("pod " + launch.uuid() + " runs as " + String.join(" ", plan.argv()));
        return plan;
    }

    /** With --debug, what bosun decided on the user's behalf when it prepared the pod (its {@code notes}). */
    static void debugNotes(Session session, java.nio.file.Path podDir) {
        java.nio.file.Path notes = podDir.resolve("notes");
        try {
            if (java.nio.file.Files.isRegularFile(notes)) {
                java.nio.file.Files.readAllLines(notes).forEach(session::debug);
            }
        } catch (java.io.IOException e) {
            session.debug("cannot read " + notes + ": " + e.getMessage());
        }
    }
}
