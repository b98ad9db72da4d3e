package org.bosun.api.image;

import java.util.List;
import java.util.Map;

/**
 * What an image says about the app it carries, in one shape for every format.
 *
 * @param name the image name ({@code example.com/busybox})
 * @param labels version, os, arch and other labels
 * @param exec the command, empty if the image has none (Docker: entrypoint + cmd)
 * @param user the user to run as (a number or a name in the image)
 * @param group the group to run as
 * @param workingDirectory the working directory, or null for {@code /}
 * @param environment the image's environment, in order
 * @param annotations free-form annotations (Docker labels)
 * @param ports ports the app listens on
 * @param mountPoints where the app expects volumes
 * @param eventHandlers appc event handlers by name ({@code pre-start}, {@code post-stop})
 * @param supplementaryGids extra groups of the app
 * @param isolators the app's isolators as the image declares them (appc {@code app.isolators}), in order
 */
public record ImageManifest(String name, Map<String, String> labels, List<String> exec, String user, String group,
        String workingDirectory, Map<String, String> environment, Map<String, String> annotations, List<Port> ports,
        List<MountPoint> mountPoints, Map<String, List<String>> eventHandlers, List<Integer> supplementaryGids,
        List<Isolator> isolators) {
    public ImageManifest {
        labels = Map.copyOf(labels);
        exec = List.copyOf(exec);
        environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        annotations = Map.copyOf(annotations);
        ports = ports == null ? List.of() : List.copyOf(ports);
        mountPoints = mountPoints == null ? List.of() : List.copyOf(mountPoints);
        eventHandlers = eventHandlers == null ? Map.of() : Map.copyOf(eventHandlers);
        supplementaryGids = supplementaryGids == null ? List.of() : List.copyOf(supplementaryGids);
        isolators = isolators == null ? List.of() : List.copyOf(isolators);
    }

    /** A manifest without isolators. */
    public ImageManifest(String name, Map<String, String> labels, List<String> exec, String user, String group,
            String workingDirectory, Map<String, String> environment, Map<String, String> annotations, List<Port> ports,
            List<MountPoint> mountPoints, Map<String, List<String>> eventHandlers, List<Integer> supplementaryGids) {
        this(name, labels, exec, user, group, workingDirectory, environment, annotations, ports, mountPoints,
                eventHandlers, supplementaryGids, null);
    }

    /** A manifest with only the original eight facts. */
    public ImageManifest(String name, Map<String, String> labels, List<String> exec, String user, String group,
            String workingDirectory, Map<String, String> environment, Map<String, String> annotations) {
        this(name, labels, exec, user, group, workingDirectory, environment, annotations, null, null, null, null, null);
    }

    /**
     * A port (appc {@code ports}; Docker {@code ExposedPorts} become {@code 80-tcp}).
     *
     * @param name the port's name
     * @param protocol {@code tcp} or {@code udp}
     * @param port the port number inside the pod
     */
    public record Port(String name, String protocol, int port) {
    }

    /**
     * A mount point (appc {@code mountPoints}; Docker {@code Volumes}).
     *
     * @param name the volume name the pod mounts there
     * @param path the path inside the app
     * @param readOnly whether it is mounted read-only
     */
    public record MountPoint(String name, String path, boolean readOnly) {
    }

    /**
     * An isolator of the image's app (appc {@code app.isolators}), such as
     * {@code os/linux/capabilities-retain-set} or {@code os/linux/seccomp-remove-set}.
     *
     * @param name the isolator's name
     * @param value its value, as JSON text ({@code {"set":["CAP_NET_BIND_SERVICE"]}}, {@code true})
     */
    public record Isolator(String name, String value) {
    }
}
