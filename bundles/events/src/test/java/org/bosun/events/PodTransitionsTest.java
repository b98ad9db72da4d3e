package org.bosun.events;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventType;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.junit.Test;

public class PodTransitionsTest {
    static final String UUID = "6f1b2c3d-0000-4000-8000-00000000000b";
    static final Instant CREATED = Instant.parse("2026-12-07T00:00:00Z");
    static final Instant STARTED = Instant.parse("2026-12-07T00:00:01Z");
    static final Instant NOW = Instant.parse("2026-12-07T00:00:09Z");

    private static PodInfo pod(PodState state, Instant started, AppInfo... apps) {
        return new PodInfo(UUID, state, List.of(apps), CREATED, started, 0, null, Map.of(), Path.of("/d/pods/x"),
                List.of(), null, null, null);
    }

    private static AppInfo app(String name, AppState state, Instant started, Integer code) {
        return new AppInfo(name, "example.com/a", "sha512-aa", List.of("/a"), code, state, started, null, null);
    }

    private static List<EventType> types(List<BosunEvent> events) {
        return events.stream().map(BosunEvent::type).toList();
    }

    @Test
    public void aPodFirstSeenExitedHasEveryStepItPassedInOrderWithTheTimesItRecorded() {
        List<BosunEvent> events = PodTransitions.between("/d", UUID, null,
                pod(PodState.EXITED, STARTED, app("a", AppState.EXITED, STARTED, 7)), NOW);
        assertEquals(List.of(EventType.POD_PREPARED, EventType.POD_STARTED, EventType.APP_STARTED, EventType.APP_EXITED,
                EventType.POD_EXITED), types(events));
        assertEquals(CREATED, events.get(0).timestamp());
        assertEquals(STARTED, events.get(1).timestamp());
        assertEquals("7", events.get(3).attributes().get(BosunEvent.EXIT_CODE));
        assertEquals(NOW, events.get(4).timestamp());
    }

    @Test
    public void aPodBeingPreparedIsNoEventYetAndOneWhosePreparationFailedIsOnlyCollected() {
        PodInfo preparing = pod(PodState.PREPARING, null);
        assertEquals(List.of(), PodTransitions.between("/d", UUID, null, preparing, NOW));
        PodInfo aborted = pod(PodState.ABORTED_PREPARE, null);
        assertEquals(List.of(), PodTransitions.between("/d", UUID, preparing, aborted, NOW));
        assertEquals(List.of(EventType.POD_GARBAGE_COLLECTED), types(PodTransitions.between("/d", UUID, aborted, null, NOW)));
    }

    @Test
    public void appsAddedAndRemovedInAPodThatRunsAreAppEventsButNotThoseOfAPodBeingDeleted() {
        PodInfo sandbox = pod(PodState.RUNNING, STARTED);
        PodInfo withApp = pod(PodState.RUNNING, STARTED, app("one", AppState.STARTING, null, null));
        assertEquals(List.of(EventType.APP_ADDED), types(PodTransitions.between("/d", UUID, sandbox, withApp, NOW)));
        assertEquals(List.of(EventType.APP_REMOVED), types(PodTransitions.between("/d", UUID, withApp, sandbox, NOW)));
        PodInfo garbage = pod(PodState.EXITED_GARBAGE, STARTED);
        PodInfo exited = pod(PodState.EXITED, STARTED, app("one", AppState.EXITED, STARTED, 0));
        assertEquals(List.of(), PodTransitions.between("/d", UUID, exited, garbage, NOW));
    }

    @Test
    public void aRunningPodThatIsGoneExitedAndWasCollected() {
        assertEquals(List.of(EventType.POD_EXITED, EventType.POD_GARBAGE_COLLECTED),
                types(PodTransitions.between("/d", UUID, pod(PodState.RUNNING, STARTED), null, NOW)));
    }
}
