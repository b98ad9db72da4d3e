package org.bosun.api.pod;

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
 */
public record AppInfo(String name, String imageName, String imageId, List<String> exec, Integer exitCode) {
    public AppInfo {
        exec = List.copyOf(exec);
    }
}
