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
 */
public record PrepareRequest(List<AppRequest> apps, String stage1Name, Set<InsecureOption> insecureOptions,
        Map<String, String> annotations, PodOptions options) {
    public PrepareRequest {
        options = options == null ? PodOptions.DEFAULTS : options;
        apps = List.copyOf(apps);
        insecureOptions = Set.copyOf(insecureOptions);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public PrepareRequest(List<AppRequest> apps, String stage1Name, Set<InsecureOption> insecureOptions,
            Map<String, String> annotations) {
        this(apps, stage1Name, insecureOptions, annotations, null);
    }
}
