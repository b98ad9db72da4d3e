package org.bosun.api.pod;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.security.Protection;

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
 * @param protectionsOff protections its apps run without, all apps together ({@code --insecure-options},
 *        or not provided here)
 * @param userAnnotations the pod manifest's {@code userAnnotations} ({@code --user-annotation})
 * @param userLabels the pod manifest's {@code userLabels} ({@code --user-label})
 * @param damage why the pod's own records cannot be read (a manifest that is not JSON), or null
 *        for a sound pod: a damaged pod is still listed, with what could be read
 */
public record PodInfo(String uuid, PodState state, List<AppInfo> apps, Instant created, Instant started, long pid,
        EngineRecord stage1, Map<String, String> annotations, Path directory,
        List<org.bosun.api.net.NetworkAttachment> networks, Set<Protection> protectionsOff,
        Map<String, String> userAnnotations, Map<String, String> userLabels, String damage) {

    /** A sound pod. */
    public PodInfo(String uuid, PodState state, List<AppInfo> apps, Instant created, Instant started, long pid,
            EngineRecord stage1, Map<String, String> annotations, Path directory,
            List<org.bosun.api.net.NetworkAttachment> networks, Set<Protection> protectionsOff,
            Map<String, String> userAnnotations, Map<String, String> userLabels) {
        this(uuid, state, apps, created, started, pid, stage1, annotations, directory, networks, protectionsOff,
                userAnnotations, userLabels, null);
    }

    public PodInfo {
        networks = networks == null ? List.of() : List.copyOf(networks);
        Set<Protection> off = EnumSet.noneOf(Protection.class);
        if (protectionsOff != null) {
            off.addAll(protectionsOff);
        }
        protectionsOff = Collections.unmodifiableSet(off);
        apps = List.copyOf(apps);
        annotations = Map.copyOf(annotations);
        userAnnotations = userAnnotations == null ? Map.of() : Map.copyOf(userAnnotations);
        userLabels = userLabels == null ? Map.of() : Map.copyOf(userLabels);
    }
}
