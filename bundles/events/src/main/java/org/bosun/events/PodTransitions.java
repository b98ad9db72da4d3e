package org.bosun.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventType;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;

/**
 * The events between two readings of one pod (core's {@code PodService.status}, the one reading of
 * a pod's state): a watcher may see a pod only after several steps (a {@code bosun run} goes from
 * prepare to run in milliseconds), so every step the pod has passed since the last reading is an
 * event, in the order of the pod's life.
 */
final class PodTransitions {
    private PodTransitions() {
    }

    /**
     * @param before the last reading, or null for a pod not seen yet
     * @param after this reading, or null when the pod is gone
     * @param now when the change was noticed: the time of what the pod does not record itself
     */
    static List<BosunEvent> between(String dataDir, String uuid, PodInfo before, PodInfo after, Instant now) {
        List<BosunEvent> events = new ArrayList<>();
        if (after == null) {
            if (before == null) {
                return events;
            }
            if (started(before) && !exited(before)) {
                events.add(pod(EventType.POD_EXITED, now, dataDir, uuid));
            }
            if (before.state() != PodState.EMBRYO && before.state() != PodState.PREPARING) {
                // A pod whose preparation failed is collected too; one still being prepared is
                // not gone but renamed away from under the reading.
                events.add(pod(EventType.POD_GARBAGE_COLLECTED, now, dataDir, uuid));
            }
            return events;
        }
        if (prepared(after) && !prepared(before)) {
            events.add(pod(EventType.POD_PREPARED, orNow(after.created(), now), dataDir, uuid));
        }
        // A pod read while gc deletes it, or damaged, lists no apps: that is no app's removal.
        List<AppInfo> apps = after.damage() != null && before != null ? before.apps() : after.apps();
        Map<String, AppInfo> was = new HashMap<>();
        if (before != null) {
            before.apps().forEach(a -> was.put(a.name(), a));
        }
        if (prepared(before)) {
            for (AppInfo a : apps) {
                if (!was.containsKey(a.name())) {
                    events.add(app(EventType.APP_ADDED, now, dataDir, uuid, a));
                }
            }
        }
        if (started(after) && !started(before)) {
            events.add(pod(EventType.POD_STARTED, orNow(after.started(), now), dataDir, uuid));
        }
        for (AppInfo a : apps) {
            AppInfo b = was.get(a.name());
            if (appStarted(a) && !appStarted(b)) {
                events.add(app(EventType.APP_STARTED, orNow(a.started(), now), dataDir, uuid, a));
            }
        }
        for (AppInfo a : apps) {
            AppInfo b = was.get(a.name());
            if (a.state() == AppState.EXITED && (b == null || b.state() != AppState.EXITED)) {
                BosunEvent e = app(EventType.APP_EXITED, now, dataDir, uuid, a);
                if (a.exitCode() != null) {
                    Map<String, String> attributes = new LinkedHashMap<>(e.attributes());
                    attributes.put(BosunEvent.EXIT_CODE, a.exitCode().toString());
                    e = new BosunEvent(e.type(), e.timestamp(), dataDir, uuid, a.name(), e.image(), attributes);
                }
                events.add(e);
            }
        }
        if (before != null && after.state() != PodState.GARBAGE && after.state() != PodState.EXITED_GARBAGE) {
            Map<String, AppInfo> present = new HashMap<>();
            apps.forEach(a -> present.put(a.name(), a));
            for (AppInfo b : before.apps()) {
                if (!present.containsKey(b.name())) {
                    events.add(app(EventType.APP_REMOVED, now, dataDir, uuid, b));
                }
            }
        }
        if (exited(after) && !exited(before)) {
            events.add(pod(EventType.POD_EXITED, now, dataDir, uuid));
        }
        return events;
    }

    /** Whether the pod was ever prepared: a pod being prepared, or whose preparation failed, was not. */
    static boolean prepared(PodInfo p) {
        if (p == null) {
            return false;
        }
        return switch (p.state()) {
            case PREPARED, RUNNING, EXITED, EXITED_GARBAGE -> true;
            case GARBAGE -> p.started() != null;
            case EMBRYO, PREPARING, ABORTED_PREPARE -> false;
        };
    }

    /** Whether the pod's process ever ran: a pod in run/ did, a collected one did if it recorded a start. */
    static boolean started(PodInfo p) {
        if (p == null) {
            return false;
        }
        return p.state() == PodState.RUNNING || p.state() == PodState.EXITED
                || ((p.state() == PodState.EXITED_GARBAGE || p.state() == PodState.GARBAGE) && p.started() != null);
    }

    static boolean exited(PodInfo p) {
        return started(p) && p.state() != PodState.RUNNING;
    }

    private static boolean appStarted(AppInfo a) {
        return a != null && (a.started() != null || a.state() == AppState.RUNNING);
    }

    private static Instant orNow(Instant recorded, Instant now) {
        return recorded != null ? recorded : now;
    }

    private static BosunEvent pod(EventType type, Instant at, String dataDir, String uuid) {
        return new BosunEvent(type, at, dataDir, uuid, null, null, Map.of());
    }

    private static BosunEvent app(EventType type, Instant at, String dataDir, String uuid, AppInfo a) {
        Map<String, String> attributes = new LinkedHashMap<>();
        if (a.imageName() != null) {
            attributes.put(BosunEvent.IMAGE_NAME, a.imageName());
        }
        return new BosunEvent(type, at, dataDir, uuid, a.name(), a.imageId(), attributes);
    }
}
