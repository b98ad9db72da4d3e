package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.junit.Test;

/** What {@code bosun status} says of each app, and when {@code --wait-ready} stops waiting. */
public class StatusCommandTest {
    static AppInfo app(String name, AppState state, Integer exitCode) {
        return new AppInfo(name, "example.com/img", "sha512-0", List.of("/bin/app"), exitCode, state, null, null, null);
    }

    static PodInfo pod(PodState state, AppInfo... apps) {
        return new PodInfo("4d2c1f00-0000-4000-8000-000000000000", state, List.of(apps), Instant.EPOCH, null, 0, null,
                Map.of(), Path.of("/var/lib/bosun/pods/run/x"), List.of(), null, null, null);
    }

    @Test
    public void anAppThatExitedWithACodeShowsTheCodeAsRktDidAndAnyOtherItsState() {
        assertEquals("3", StatusCommand.appState(app("web", AppState.EXITED, 3)));
        assertEquals("running", StatusCommand.appState(app("web", AppState.RUNNING, null)));
        assertEquals("starting", StatusCommand.appState(app("web", AppState.STARTING, null)));
        assertEquals("exited", StatusCommand.appState(app("web", AppState.EXITED, null)));
    }

    @Test
    public void aRunningPodIsReadyOnceEveryAppRunsOrHasExited() {
        assertFalse(StatusCommand.isReady(pod(PodState.RUNNING, app("web", AppState.RUNNING, null),
                app("db", AppState.STARTING, null))));
        assertTrue(StatusCommand.isReady(pod(PodState.RUNNING, app("web", AppState.RUNNING, null),
                app("init", AppState.EXITED, 0))));
    }

    @Test
    public void aPodNotYetRunningIsNotReadyAndOneThatFinishedStopsTheWait() {
        assertFalse(StatusCommand.isReady(pod(PodState.PREPARED, app("web", AppState.PREPARED, null))));
        assertTrue(StatusCommand.isReady(pod(PodState.EXITED, app("web", AppState.UNKNOWN, null))));
    }

    @Test
    public void theOldFiveArgumentFormKnowsOnlyWhatTheExitCodeTells() {
        assertEquals(AppState.EXITED, new AppInfo("a", "i", "id", List.of(), 0, null, null, null, null).state());
        assertEquals(AppState.UNKNOWN, new AppInfo("a", "i", "id", List.of(), null, null, null, null, null).state());
    }
}
