package org.bosun.api.pod;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.InsecureOption;

/**
 * Everything needed to prepare a pod. It is validated as a whole before anything is written.
 *
 * @param apps the apps, in order; at least one
 * @param stage1Name the engine ({@code --stage1-name}); null for the configured default
 * @param insecureOptions the checks the user switched off
 * @param annotations pod annotations ({@code --annotation})
 * @param options pod-level settings (networks, volumes, DNS, ...)
 * @param userAnnotations the pod manifest's {@code userAnnotations} ({@code --user-annotation}), in order
 * @param userLabels the pod manifest's {@code userLabels} ({@code --user-label}), in order
 */
public record PrepareRequest(List<AppRequest> apps, String stage1Name, Set<InsecureOption> insecureOptions,
        Map<String, String> annotations, PodOptions options, Map<String, String> userAnnotations,
        Map<String, String> userLabels) {
    public PrepareRequest {
        options = options == null ? PodOptions.DEFAULTS : options;
        apps = List.copyOf(apps);
        insecureOptions = Set.copyOf(insecureOptions);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        userAnnotations = ordered(userAnnotations);
        userLabels = ordered(userLabels);
    }

    private static Map<String, String> ordered(Map<String, String> map) {
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(map));
    }
}
