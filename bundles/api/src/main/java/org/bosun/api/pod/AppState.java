package org.bosun.api.pod;

/**
 * Where an app of a pod is in its life, as its engine reported it (see
 * {@link org.bosun.api.stage1.Stage1Engine} for the files engines write).
 */
public enum AppState {
    /** The pod has not been started yet. */
    PREPARED("prepared"),
    /** The pod runs, and the app has not started yet (its pre-start handler may be running). */
    STARTING("starting"),
    /** The app's process has started and has not exited. */
    RUNNING("running"),
    /** The app has exited ({@link AppInfo#exitCode()} says how, when its engine recorded it). */
    EXITED("exited"),
    /** Nothing was recorded: an engine that does not report its apps, or an app that never started. */
    UNKNOWN("unknown");

    private final String label;

    AppState(String label) {
        this.label = label;
    }

    /** The name users see in {@code status} and {@code list}. */
    public String label() {
        return label;
    }

    /** True when the app has come as far as starting goes: it runs, or it has already exited. */
    public boolean isReady() {
        return this == RUNNING || this == EXITED;
    }
}
