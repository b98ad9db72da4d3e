package org.bosun.api.image;

import java.util.List;
import java.util.Map;

/**
 * What an image says about the app it carries, in one shape for every format.
 *
 * @param name the image name ({@code example.com/busybox})
 * @param labels version, os, arch and other labels
 * @param exec the command, empty if the image has none
 * @param user the user to run as (a number or a name in the image)
 * @param group the group to run as
 * @param workingDirectory the working directory, or null for {@code /}
 * @param environment the image's environment, in order
 * @param annotations free-form annotations
 */
public record ImageManifest(String name, Map<String, String> labels, List<String> exec, String user, String group,
        String workingDirectory, Map<String, String> environment, Map<String, String> annotations) {
    public ImageManifest {
        labels = Map.copyOf(labels);
        exec = List.copyOf(exec);
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        annotations = Map.copyOf(annotations);
    }
}
