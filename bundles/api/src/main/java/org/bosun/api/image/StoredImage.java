package org.bosun.api.image;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An image in the store's index.
 *
 * @param id content id: {@code sha512-...} (appc) or the manifest digest {@code sha256:...}
 * @param name image name ({@code example.com/app}, {@code 127.0.0.1:5000/test/busybox})
 * @param format the name of the format that fetched it and renders it
 * @param references fetch references that resolved to it ({@code docker://host/x:latest}), tags
 * @param manifest what the image says about its app
 * @param blobs digests of the blobs it consists of, in render order (layers, or the ACI)
 * @param dependencies ids of images rendered below it (appc dependencies), in order
 * @param metadata format-specific facts (media type, signer fingerprint, config digest)
 * @param importTime when it was fetched; filled by the store
 * @param lastUsed when a pod last used it; filled by the store
 * @param size bytes of its blobs; filled by the store
 */
public record StoredImage(String id, String name, String format, List<String> references, ImageManifest manifest,
        List<String> blobs, List<String> dependencies, Map<String, String> metadata, Instant importTime,
        Instant lastUsed, long size) {
    /**
     * The {@link #metadata()} key under which a format records the fingerprint of the key whose signature
     * it verified at fetch.
     *
     * @since 1.4
     */
    public static final String SIGNED_BY = "signedBy";

    public StoredImage {
        references = references == null ? List.of() : List.copyOf(references);
        blobs = blobs == null ? List.of() : List.copyOf(blobs);
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /**
     * The fingerprint of the key whose signature was verified when the image was fetched, or null for an
     * image fetched without a signature check ({@code --insecure-options=image}). The appc format recorded
     * it as {@code signer} before 1.4, which is read too.
     *
     * @since 1.4
     */
    public String signer() {
        String signer = metadata.get(SIGNED_BY);
        return signer != null ? signer : metadata.get("signer");
    }
}
