package org.bosun.apiservice;

import java.util.Map;
import java.util.TreeMap;

import org.bosun.api.event.BosunEvent;
import org.bosun.apiservice.v1alpha.Event;
import org.bosun.apiservice.v1alpha.EventFilter;
import org.bosun.apiservice.v1alpha.EventType;

/**
 * bosun's events as rkt's: the pod, app and image events rkt names. An app added or removed and
 * the bundle events have no rkt type and are not sent.
 */
final class EventMapping {
    private EventMapping() {
    }

    static EventType type(org.bosun.api.event.EventType t) {
        return switch (t) {
            case POD_PREPARED -> EventType.EVENT_TYPE_POD_PREPARED;
            case POD_STARTED -> EventType.EVENT_TYPE_POD_STARTED;
            case POD_EXITED -> EventType.EVENT_TYPE_POD_EXITED;
            case POD_GARBAGE_COLLECTED -> EventType.EVENT_TYPE_POD_GARBAGE_COLLECTED;
            case APP_STARTED -> EventType.EVENT_TYPE_APP_STARTED;
            case APP_EXITED -> EventType.EVENT_TYPE_APP_EXITED;
            case IMAGE_FETCHED -> EventType.EVENT_TYPE_IMAGE_IMPORTED;
            case IMAGE_REMOVED -> EventType.EVENT_TYPE_IMAGE_REMOVED;
            default -> null;
        };
    }

    /** The rkt event, or null for one rkt has no type for. */
    static Event map(BosunEvent e) {
        EventType type = type(e.type());
        if (type == null) {
            return null;
        }
        boolean image = e.type().kind().equals("image");
        Event.Builder b = Event.newBuilder().setType(type)
                .setId(PublicApi.nullToEmpty(image ? e.image() : e.pod()))
                .setFrom(PublicApi.nullToEmpty(image ? e.attributes().get(BosunEvent.IMAGE_NAME)
                        : e.type().kind().equals("app") ? e.app() : ""))
                .setTime(e.timestamp().getEpochSecond());
        Map<String, String> data = new TreeMap<>(e.attributes());
        data.forEach((k, v) -> b.addData(PublicApi.kv(k, v)));
        return b.build();
    }

    static boolean matches(EventFilter f, Event e) {
        if (f.getTypesCount() > 0 && !f.getTypesList().contains(e.getType())) {
            return false;
        }
        if (f.getIdsCount() > 0 && !f.getIdsList().contains(e.getId())) {
            return false;
        }
        if (f.getNamesCount() > 0 && !f.getNamesList().contains(e.getFrom())) {
            return false;
        }
        return f.getSinceTime() <= 0 || e.getTime() >= f.getSinceTime();
    }
}
