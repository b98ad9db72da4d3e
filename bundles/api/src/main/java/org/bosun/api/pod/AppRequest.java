package org.bosun.api.pod;

import java.util.List;
import java.util.Map;

/**
 * One app of a pod to prepare: the image it runs and what the command line overrides of that
 * image's app. A null or empty field means "as the image says".
 *
 * @param image the image reference, as given by the user (paths already absolute)
 * @param name the app name ({@code --name}); defaults to the image's base name
 * @param exec replaces the image's exec ({@code --exec})
 * @param args arguments appended to the exec (after {@code --})
 * @param environment extra environment ({@code --environment}); wins over the image's and the pod's
 * @param user the user to run as, numeric or a name of the image
 * @param group the group to run as, numeric or a name of the image
 * @param workingDirectory the working directory inside the app
 * @param settings everything else per app (mounts, isolators, capabilities, ...)
 * @param signature a local detached signature file ({@code --signature}, an absolute path) that
 *        verifies the image instead of the one beside it or at its URL; null for those
 */
public record AppRequest(String image, String name, List<String> exec, List<String> args,
        Map<String, String> environment, String user, String group, String workingDirectory, AppSettings settings,
        String signature) {
    public AppRequest {
        settings = settings == null ? AppSettings.NONE : settings;
        exec = exec == null ? List.of() : List.copyOf(exec);
        args = args == null ? List.of() : List.copyOf(args);
        environment = environment == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
    }

    /** The request with the image's own signature. */
    public AppRequest(String image, String name, List<String> exec, List<String> args, Map<String, String> environment,
            String user, String group, String workingDirectory, AppSettings settings) {
        this(image, name, exec, args, environment, user, group, workingDirectory, settings, null);
    }

    public static AppRequest ofImage(String image) {
        return new AppRequest(image, null, null, null, null, null, null, null, null);
    }

    /** The request without per-app settings (tests, the CRI). */
    public AppRequest(String image, String name, List<String> exec, List<String> args, Map<String, String> environment,
            String user, String group, String workingDirectory) {
        this(image, name, exec, args, environment, user, group, workingDirectory, null);
    }
}
