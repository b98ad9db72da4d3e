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
 * @param userAnnotations the app's {@code userAnnotations} in the pod manifest ({@code --user-annotation})
 * @param userLabels the app's {@code userLabels} in the pod manifest ({@code --user-label})
 */
public record AppInfo(String name, String imageName, String imageId, List<String> exec, Integer exitCode,
        AppState state, Instant started, java.util.Map<String, String> userAnnotations,
        java.util.Map<String, String> userLabels) {
    public AppInfo {
        exec = List.copyOf(exec);
        if (state == null) {
            state = exitCode != null ? AppState.EXITED : AppState.UNKNOWN;
        }
        userAnnotations = userAnnotations == null ? java.util.Map.of() : java.util.Map.copyOf(userAnnotations);
        userLabels = userLabels == null ? java.util.Map.of() : java.util.Map.copyOf(userLabels);
    }
}
