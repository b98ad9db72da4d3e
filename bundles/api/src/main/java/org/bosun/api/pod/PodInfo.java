package org.bosun.api.pod;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A pod as seen at one moment.
 *
 * @param uuid the pod's UUID
 * @param state its state
 * @param apps its apps in manifest order
 * @param created when it was prepared
 * @param started when its process started, or null
 * @param pid the pod's process (the stage1 process), or 0
 * @param stage1 the engine that prepared it and its version
 * @param annotations the pod's annotations
 * @param directory where it lives now
 * @param networks the networks it is attached to (empty for host networking or none recorded)
 * @param protectionsOff protections it runs without ({@code --insecure-options}: seccomp, capabilities, paths)
 * @param userAnnotations the pod manifest's {@code userAnnotations} ({@code --user-annotation})
 * @param userLabels the pod manifest's {@code userLabels} ({@code --user-label})
 */
public record PodInfo(String uuid, PodState state, List<AppInfo> apps, Instant created, Instant started, long pid,
        EngineRecord stage1, Map<String, String> annotations, Path directory,
        List<org.bosun.api.net.NetworkAttachment> networks, java.util.Set<String> protectionsOff,
        Map<String, String> userAnnotations, Map<String, String> userLabels) {
    public PodInfo {
        networks = networks == null ? List.of() : List.copyOf(networks);
        protectionsOff = protectionsOff == null ? java.util.Set.of() : java.util.Set.copyOf(protectionsOff);
        apps = List.copyOf(apps);
        annotations = Map.copyOf(annotations);
        userAnnotations = userAnnotations == null ? Map.of() : Map.copyOf(userAnnotations);
        userLabels = userLabels == null ? Map.of() : Map.copyOf(userLabels);
    }

    /** A pod without user annotations or labels. */
    public PodInfo(String uuid, PodState state, List<AppInfo> apps, Instant created, Instant started, long pid,
            EngineRecord stage1, Map<String, String> annotations, Path directory,
            List<org.bosun.api.net.NetworkAttachment> networks, java.util.Set<String> protectionsOff) {
        this(uuid, state, apps, created, started, pid, stage1, annotations, directory, networks, protectionsOff, null,
                null);
    }
}
