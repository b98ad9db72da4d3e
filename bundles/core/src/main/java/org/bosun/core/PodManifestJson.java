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
record PodManifestJson(String acVersion, String acKind, List<RuntimeApp> apps, List<Object> volumes,
        List<Object> isolators, List<NameValue> annotations, List<Object> ports) {

    static final String AC_VERSION = "0.8.11";
    static final String AC_KIND = "PodManifest";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RuntimeApp(String name, RuntimeImage image, App app, Boolean readOnlyRootFS, List<Object> mounts,
            List<NameValue> annotations) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record RuntimeImage(String name, String id, List<NameValue> labels) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record App(List<String> exec, String user, String group, String workingDirectory, List<NameValue> environment) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record NameValue(String name, String value) {
    }
}
