package org.bosun.api.stage1;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A pod as an engine sees it: where it is and what its apps are. Paths are absolute and final
 * (for {@link Stage1Engine#run} they already point into the run directory).
 *
 * @param uuid the pod's UUID
 * @param path the pod directory
 * @param apps its apps, in manifest order
 * @param annotations pod annotations
 */
public record PodDirectory(String uuid, Path path, List<App> apps, Map<String, String> annotations) {
    public PodDirectory {
        apps = List.copyOf(apps);
        annotations = Map.copyOf(annotations);
    }

    /** Where an engine keeps its own files inside the pod. */
    public Path stage1Dir() {
        return path.resolve("engine");
    }

    /**
     * One app.
     *
     * @param name the app's name
     * @param rootfs its root filesystem
     * @param exec the command and arguments
     * @param environment the app's environment, complete, in order
     * @param uid the numeric user, resolved against the image
     * @param gid the numeric group, resolved against the image
     * @param workingDirectory the working directory inside the rootfs
     */
    public record App(String name, Path rootfs, List<String> exec, Map<String, String> environment, int uid, int gid,
            String workingDirectory) {
        public App {
            exec = List.copyOf(exec);
            environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        }
    }
}
