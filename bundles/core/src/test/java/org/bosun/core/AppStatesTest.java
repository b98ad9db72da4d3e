package org.bosun.core;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodState;
import org.bosun.host.files.Scratch;
import org.junit.Rule;
import org.junit.Test;

/** How an app's state follows from its engine's records ({@code started}, {@code status}) and its pod's state. */
public class AppStatesTest {
    @Rule
    public final Scratch scratch = new Scratch();

    @Test
    public void anAppIsPreparedUntilItsPodRuns() {
        for (PodState pod : new PodState[] {PodState.EMBRYO, PodState.PREPARING, PodState.PREPARED}) {
            assertEquals(pod.toString(), AppState.PREPARED, AppStates.of(pod, false, false));
        }
    }

    @Test
    public void inARunningPodAnAppIsStartingUntilItsEngineSaysItStarted() {
        assertEquals(AppState.STARTING, AppStates.of(PodState.RUNNING, false, false));
        assertEquals(AppState.RUNNING, AppStates.of(PodState.RUNNING, true, false));
    }

    @Test
    public void anAppWithAnExitCodeHasExitedWhateverElseIsKnown() {
        assertEquals(AppState.EXITED, AppStates.of(PodState.RUNNING, true, true));
        // an app that failed at once may be reaped before its start is recorded
        assertEquals(AppState.EXITED, AppStates.of(PodState.RUNNING, false, true));
        assertEquals(AppState.EXITED, AppStates.of(PodState.EXITED, false, true));
    }

    @Test
    public void inAFinishedPodAStartedAppHasExitedEvenWithoutACodeAndOneThatNeverStartedIsUnknown() {
        for (PodState pod : new PodState[] {PodState.EXITED, PodState.EXITED_GARBAGE}) {
            assertEquals("fly records no exit code: " + pod, AppState.EXITED, AppStates.of(pod, true, false));
            assertEquals("nothing recorded: " + pod, AppState.UNKNOWN, AppStates.of(pod, false, false));
        }
        assertEquals(AppState.UNKNOWN, AppStates.of(PodState.ABORTED_PREPARE, false, false));
        assertEquals(AppState.UNKNOWN, AppStates.of(PodState.GARBAGE, false, false));
    }

    @Test
    public void theStartTimeIsTheModificationTimeOfTheStartedRecord() throws Exception {
        PodFiles files = new PodFiles();
        Path app = Files.createDirectories(scratch.root().resolve("apps/web"));
        assertEquals(null, files.appStarted(scratch.root(), "web"));
        Instant when = Instant.parse("2026-11-29T10:15:30.250Z");
        Files.setLastModifiedTime(Files.createFile(app.resolve("started")), FileTime.from(when));
        assertEquals(when, files.appStarted(scratch.root(), "web"));
    }
}
