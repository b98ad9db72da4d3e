package org.bosun.image.oci.model;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An image manifest: OCI ({@link MediaTypes#OCI_MANIFEST}) or Docker schema 2
 * ({@link MediaTypes#DOCKER_MANIFEST}), which have the same shape.
 *
 * @param schemaVersion always 2
 * @param mediaType the manifest's media type; OCI manifests may leave it out
 * @param config the image config blob
 * @param layers the layer blobs, bottom first
 * @param annotations annotations
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OciManifest(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers,
        Map<String, String> annotations) {
    public OciManifest {
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
