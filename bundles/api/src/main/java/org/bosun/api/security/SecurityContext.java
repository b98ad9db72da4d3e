package org.bosun.api.security;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.pod.PodOptions;

/**
 * What a {@link SecurityModule} may base an app's part of the policy on, at prepare time.
 *
 * @param paths the data directory and the local and system configuration ({@code seccomp.d/}, allocator files)
 * @param podUuid the pod being prepared
 * @param appName the app whose policy this is
 * @param insecure the protections the user switched off ({@code --insecure-options})
 * @param settings the app's own flags ({@code --caps-retain}, {@code --caps-remove}, {@code --seccomp})
 * @param isolators the isolators of the app's image; the app's flags win over them
 * @param pod the pod-level options ({@code --private-users})
 * @param rootfs the app's rendered root filesystem (a module may adjust ownership, e.g. for a user namespace)
 */
public record SecurityContext(RuntimePaths paths, String podUuid, String appName, Set<InsecureOption> insecure,
        AppSettings settings, List<ImageManifest.Isolator> isolators, PodOptions pod, Path rootfs) {
    public SecurityContext {
        insecure = Set.copyOf(insecure);
        settings = settings == null ? AppSettings.NONE : settings;
        isolators = isolators == null ? List.of() : List.copyOf(isolators);
        pod = pod == null ? PodOptions.DEFAULTS : pod;
    }

    /**
     * The image isolator called {@code name}, or null; of several, the last one, which overrides the
     * ones before it as rkt applied them in order.
     */
    public ImageManifest.Isolator isolator(String name) {
        for (int i = isolators.size() - 1; i >= 0; i--) {
            if (isolators.get(i).name().equals(name)) {
                return isolators.get(i);
            }
        }
        return null;
    }
}
