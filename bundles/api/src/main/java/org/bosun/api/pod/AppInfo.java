package org.bosun.api.pod;

import java.time.Instant;
import java.util.List;

/**
 * An app of a pod as recorded on disk.
 *
 * @param name the app name, unique in the pod
 * @param imageName the image's name
 * @param imageId the image's content id ({@code sha512-...} for ACIs)
 * @param exec the command the app runs
 * @param exitCode the app's exit code, or null when unknown (still running, or the engine does
 *        not supervise its apps, like fly)
 * @param state where the app is in its life; null: known only from its exit code ({@link AppState#EXITED}
 *        with one, else {@link AppState#UNKNOWN})
 * @param started when the app's process started, or null if its engine has not reported it
 */
public record AppInfo(String name, String imageName, String imageId, List<String> exec, Integer exitCode,
        AppState state, Instant started) {
    public AppInfo {
        exec = List.copyOf(exec);
        if (state == null) {
            state = exitCode != null ? AppState.EXITED : AppState.UNKNOWN;
        }
    }
}
