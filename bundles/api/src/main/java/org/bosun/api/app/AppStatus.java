package org.bosun.api.app;

import java.time.Instant;
import java.util.Map;

/**
 * One app of a pod as its records say ({@code bosun app status}).
 *
 * @param name the app's name
 * @param state where it is in its life
 * @param imageName the image's name
 * @param imageId the image's id in the store
 * @param created when it was added (for apps given to {@code run}, when the pod was prepared)
 * @param started when its process started, or null
 * @param finished when it exited, or null
 * @param exitCode its exit code once exited (128+N for signal N), or null
 * @param userAnnotations its {@code userAnnotations}
 * @param pid the host pid of its main process while it runs, or null
 * @param io how its standard streams are connected
 */
public record AppStatus(String name, State state, String imageName, String imageId, Instant created, Instant started,
        Instant finished, Integer exitCode, Map<String, String> userAnnotations, Integer pid, AppIo io) {
    public AppStatus {
        userAnnotations = userAnnotations == null ? Map.of() : Map.copyOf(userAnnotations);
        io = io == null ? AppIo.DEFAULT : io;
    }

    /** A status without a pid, with the default I/O modes (as in version 1.0 of this package). */
    public AppStatus(String name, State state, String imageName, String imageId, Instant created, Instant started,
            Instant finished, Integer exitCode, Map<String, String> userAnnotations) {
        this(name, state, imageName, imageId, created, started, finished, exitCode, userAnnotations, null, null);
    }

    /** The states of an app, as the CRI names those of a container. */
    public enum State {
        /** Added, not started. */
        CREATED("created"),
        /** Asked to start, not yet reported started by its engine. */
        STARTING("starting"),
        /** Its process runs. */
        RUNNING("running"),
        /** Its process has ended (see the exit code). */
        EXITED("exited"),
        /** Nothing recorded tells: its pod ended before it reported a start. */
        UNKNOWN("unknown");

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** The name users see. */
        public String label() {
            return label;
        }
    }
}
