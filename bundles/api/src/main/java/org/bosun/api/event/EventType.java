package org.bosun.api.event;

import java.util.Locale;

/**
 * What happened, one constant per Event Admin topic ({@code org/bosun/KIND/STATUS}).
 */
public enum EventType {
    POD_PREPARED, POD_STARTED, POD_EXITED, POD_GARBAGE_COLLECTED,
    APP_ADDED, APP_STARTED, APP_EXITED, APP_REMOVED,
    IMAGE_FETCHED, IMAGE_REMOVED,
    BUNDLE_INSTALLED, BUNDLE_UPDATED, BUNDLE_UNINSTALLED;

    /** The topic prefix of every bosun event; {@code org/bosun/*} subscribes to all of them. */
    public static final String TOPIC_PREFIX = "org/bosun/";

    private final String kind;
    private final String status;

    EventType() {
        int bar = name().indexOf('_');
        this.kind = name().substring(0, bar).toLowerCase(Locale.ROOT);
        this.status = name().substring(bar + 1);
    }

    /** {@code pod}, {@code app}, {@code image} or {@code bundle}. */
    public String kind() {
        return kind;
    }

    /** The last topic segment, lower case: {@code prepared}, {@code garbage_collected}, ... */
    public String status() {
        return status.toLowerCase(Locale.ROOT);
    }

    /** The Event Admin topic: {@code org/bosun/pod/STARTED}. */
    public String topic() {
        return TOPIC_PREFIX + kind + "/" + status;
    }

    /** The type of a kind and status ({@code pod}, {@code started}: an event's JSON form), or null. */
    public static EventType of(String kind, String status) {
        return kind == null || status == null ? null
                : ofTopic(TOPIC_PREFIX + kind + "/" + status.toUpperCase(Locale.ROOT));
    }

    /** The type of a topic, or null for a topic that is not a bosun event's. */
    public static EventType ofTopic(String topic) {
        for (EventType t : values()) {
            if (t.topic().equals(topic)) {
                return t;
            }
        }
        return null;
    }
}
