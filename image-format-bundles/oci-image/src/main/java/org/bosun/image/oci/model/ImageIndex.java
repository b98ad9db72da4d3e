package org.bosun.image.oci.model;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An OCI image index or a Docker manifest list: manifests for several platforms, or (in an OCI
 * layout's {@code index.json}) the images of the layout, named by their
 * {@code org.opencontainers.image.ref.name} annotation.
 *
 * @param schemaVersion always 2
 * @param mediaType the index's media type; OCI indexes may leave it out
 * @param manifests the manifests it lists
 * @param annotations annotations
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageIndex(int schemaVersion, String mediaType, List<Descriptor> manifests, Map<String, String> annotations) {
    /** The annotation that names an image in an OCI layout's index. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    public ImageIndex {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
