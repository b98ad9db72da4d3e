package org.bosun.image.oci.model;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The parts of an OCI / Docker image config that bosun uses.
 *
 * @param architecture the image's architecture
 * @param os the image's operating system
 * @param variant the architecture variant, or null
 * @param config how to run the image, or null
 * @param rootfs the uncompressed digests of the layers
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageConfig(String architecture, String os, String variant, RunConfig config, RootFs rootfs) {

    /** The image's platform. */
    public Platform platform() {
        return new Platform(architecture, os, variant);
    }

    /**
     * The execution parameters of the image ({@code config} in the JSON; Docker's capitalised names).
     *
     * @param user {@code user}, {@code uid}, {@code user:group}, {@code uid:gid} ...
     * @param exposedPorts {@code "80/tcp": {}}
     * @param env {@code NAME=value}
     * @param entrypoint the entrypoint
     * @param cmd the command, or the entrypoint's arguments
     * @param volumes {@code "/data": {}}
     * @param workingDir the working directory
     * @param labels labels
     * @param stopSignal the signal that stops the app
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RunConfig(@JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal) {
    }

    /**
     * @param type {@code layers}
     * @param diffIds the digests of the uncompressed layers
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RootFs(String type, @JsonProperty("diff_ids") List<String> diffIds) {
    }
}
