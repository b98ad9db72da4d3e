package org.bosun.image.oci.model;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An OCI content descriptor: what a manifest or index says about a blob it points to.
 *
 * @param mediaType the blob's media type
 * @param digest {@code sha256:<hex>}
 * @param size the blob's size in bytes
 * @param annotations annotations ({@code org.opencontainers.image.ref.name} in a layout's index)
 * @param platform the platform of a manifest in an index, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations, Platform platform) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** The value of an annotation, or null. */
    public String annotation(String key) {
        return annotations.get(key);
    }
}
