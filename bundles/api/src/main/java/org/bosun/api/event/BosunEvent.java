package org.bosun.api.event;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One event, as published and as journaled.
 *
 * @param type what happened
 * @param timestamp when: as recorded on disk where the pod records it (its start, its apps'
 *        starts and exits), else when it was noticed
 * @param dataDir the data directory ({@code --dir}) of the pod or image; null for a bundle event
 * @param pod the pod's UUID (pod and app events), else null
 * @param app the app's name (app events), else null
 * @param image the image's id (image events), else null
 * @param attributes further facts by name: {@link #EXIT_CODE}, {@link #IMAGE_NAME}, {@link #BUNDLE}, ...
 */
public record BosunEvent(EventType type, Instant timestamp, String dataDir, String pod, String app, String image,
        Map<String, String> attributes) {

    /** Event property: the topic's kind and status ({@code pod}, {@code started}). */
    public static final String KIND = "type";
    public static final String STATUS = "status";
    /** Event property: epoch milliseconds, as Event Admin's {@code EventConstants.TIMESTAMP}. */
    public static final String TIMESTAMP = "timestamp";
    /** Event property: the timestamp as an ISO-8601 instant with its nanoseconds. */
    public static final String TIME = "time";
    public static final String DATA_DIR = "data_dir";
    public static final String POD = "pod_uuid";
    public static final String APP = "app_name";
    public static final String IMAGE = "image_id";

    /** Attribute: an app's exit code. */
    public static final String EXIT_CODE = "exit_code";
    /** Attribute: an image's name. */
    public static final String IMAGE_NAME = "image_name";
    /** Attribute: a bundle's symbolic name and version. */
    public static final String BUNDLE = "bundle";
    public static final String BUNDLE_VERSION = "bundle_version";

    public BosunEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** The event's Event Admin properties (also its JSON form): the fields above, then the attributes. */
    public Map<String, Object> toProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(TIME, timestamp.toString());
        p.put(TIMESTAMP, timestamp.toEpochMilli());
        p.put(KIND, type.kind());
        p.put(STATUS, type.status());
        putIfSet(p, POD, pod);
        putIfSet(p, APP, app);
        putIfSet(p, IMAGE, image);
        putIfSet(p, DATA_DIR, dataDir);
        new TreeMap<>(attributes).forEach(p::putIfAbsent);
        return p;
    }

    /**
     * The event of {@code topic} with these properties ({@link #toProperties()}'s); null when the
     * topic is not a bosun event's.
     */
    public static BosunEvent of(String topic, Map<String, ?> properties) {
        EventType type = EventType.ofTopic(topic);
        return type == null ? null : of(type, properties);
    }

    /** The event of {@code type} with these properties ({@link #toProperties()}'s, as parsed from JSON too). */
    public static BosunEvent of(EventType type, Map<String, ?> properties) {
        Instant time;
        Object iso = properties.get(TIME);
        Object millis = properties.get(TIMESTAMP);
        if (iso != null) {
            time = Instant.parse(iso.toString());
        } else if (millis instanceof Number n) {
            time = Instant.ofEpochMilli(n.longValue());
        } else {
            time = Instant.EPOCH;
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (!isField(k) && v != null && !k.startsWith("event.")) {
                attributes.put(k, v.toString());
            }
        });
        return new BosunEvent(type, time, string(properties, DATA_DIR), string(properties, POD),
                string(properties, APP), string(properties, IMAGE), attributes);
    }

    private static boolean isField(String key) {
        return switch (key) {
            case KIND, STATUS, TIMESTAMP, TIME, DATA_DIR, POD, APP, IMAGE -> true;
            default -> false;
        };
    }

    private static String string(Map<String, ?> properties, String key) {
        Object v = properties.get(key);
        return v == null ? null : v.toString();
    }

    private static void putIfSet(Map<String, Object> p, String key, String value) {
        if (value != null) {
            p.put(key, value);
        }
    }
}
