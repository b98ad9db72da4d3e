package org.bosun.core;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The appc pod manifest (schema "PodManifest", appc spec 0.8.11) with the fields bosun writes.
 * Unknown fields are kept out on reading so that manifests of later versions still list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
record PodManifestJson(String acVersion, String acKind, List<RuntimeApp> apps, List<Volume> volumes,
        List<Object> isolators, List<NameValue> annotations, List<Object> ports,
        java.util.Map<String, String> userAnnotations, java.util.Map<String, String> userLabels) {

    static final String AC_VERSION = "0.8.11";
    static final String AC_KIND = "PodManifest";

    /** A manifest without user annotations and labels (appc writes none then). */
    PodManifestJson(String acVersion, String acKind, List<RuntimeApp> apps, List<Volume> volumes,
            List<Object> isolators, List<NameValue> annotations, List<Object> ports) {
        this(acVersion, acKind, apps, volumes, isolators, annotations, ports, null, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RuntimeApp(String name, RuntimeImage image, App app, Boolean readOnlyRootFS, List<Mount> mounts,
            List<NameValue> annotations) {
        RuntimeApp withMounts(List<Mount> newMounts) {
            return new RuntimeApp(name, image, app, readOnlyRootFS, newMounts, annotations);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RuntimeImage(String name, String id, List<NameValue> labels) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record App(List<String> exec, String user, String group, String workingDirectory, List<NameValue> environment,
            List<Integer> supplementaryGIDs, List<Isolator> isolators, List<EventHandler> eventHandlers,
            java.util.Map<String, String> userAnnotations, java.util.Map<String, String> userLabels) {
        App(List<String> exec, String user, String group, String workingDirectory, List<NameValue> environment) {
            this(exec, user, group, workingDirectory, environment, null, null, null);
        }

        App(List<String> exec, String user, String group, String workingDirectory, List<NameValue> environment,
                List<Integer> supplementaryGIDs, List<Isolator> isolators, List<EventHandler> eventHandlers) {
            this(exec, user, group, workingDirectory, environment, supplementaryGIDs, isolators, eventHandlers, null,
                    null);
        }
    }

    /**
     * A pod volume (appc {@code volumes}): {@code empty} ones live in the pod's {@code volumes/NAME}.
     * {@code implicit} (not appc) marks one bosun made for an image mount point no volume served.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Volume(String name, String kind, String source, Boolean readOnly, Boolean recursive, String mode,
            Integer uid, Integer gid, Boolean implicit, String propagation) {
        Volume(String name, String kind, String source, Boolean readOnly, Boolean recursive, String mode,
                Integer uid, Integer gid, Boolean implicit) {
            this(name, kind, source, readOnly, recursive, mode, uid, gid, implicit, null);
        }
    }

    /** A volume mounted into an app (appc {@code apps[].mounts}); {@code readOnly} (not appc) from the mount point. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Mount(String volume, String path, Boolean readOnly) {
    }

    /** An appc isolator: {@code resource/memory} {@code {"limit": "536870912"}}, {@code os/linux/oom-score-adj} -500. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Isolator(String name, Object value) {
    }

    /** An appc event handler: {@code pre-start} or {@code post-stop} and its command. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record EventHandler(String name, List<String> exec) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NameValue(String name, String value) {
    }
}
