package org.bosun.image.oci.layers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.image.oci.model.MediaTypes;
import org.bosun.image.oci.model.OciManifest;

/**
 * How OCI and Docker images live in bosun's store: the id is the manifest digest; the blobs are the
 * config, then the layers bottom first; the metadata names the config digest and the manifest's
 * media type (and the signer, when verified). Rendering applies the layers with {@link LayerRenderer}.
 */
public final class StoredImages {
    public static final String CONFIG_DIGEST = "configDigest";
    public static final String MEDIA_TYPE = "mediaType";
    public static final String SIGNED_BY = org.bosun.api.image.StoredImage.SIGNED_BY;
    public static final String SIGNED_IDENTITY = "signedIdentity";

    private StoredImages() {
    }

    /**
     * The record of an image whose blobs are all stored.
     *
     * @param manifestDigest the id
     * @param name the repository name
     * @param format the format's name
     * @param references the references it was fetched by
     * @param manifest the app facts from its config
     * @param mediaType the manifest's media type
     * @param oci the manifest
     * @param extra more metadata (signer)
     */
    public static StoredImage image(String manifestDigest, String name, String format, List<String> references,
            ImageManifest manifest, String mediaType, OciManifest oci, Map<String, String> extra) {
        List<String> blobs = new ArrayList<>();
        blobs.add(oci.config().digest());
        oci.layers().forEach(l -> blobs.add(l.digest()));
        Map<String, String> metadata = new LinkedHashMap<>(extra);
        metadata.put(CONFIG_DIGEST, oci.config().digest());
        metadata.put(MEDIA_TYPE, mediaType == null ? MediaTypes.OCI_MANIFEST : mediaType);
        return new StoredImage(manifestDigest, name, format, references, manifest, blobs, List.of(), metadata, null, null, 0);
    }

    /** Renders a stored image: its layers (every blob but the config), bottom first. */
    public static void render(StoredImage image, ImageStore store, RuntimePaths paths, Path tree) {
        String subject = "image " + image.name() + " (" + image.id() + ")";
        String config = image.metadata().get(CONFIG_DIGEST);
        LayerRenderer renderer = new LayerRenderer(subject, tree);
        for (String digest : image.blobs()) {
            if (digest.equals(config)) {
                continue;
            }
            Path blob = store.blob(paths, digest).orElseThrow(() -> BosunException.notFound(subject + " misses its layer "
                    + digest + " in the store; fetch the image again"));
            try (InputStream in = Files.newInputStream(blob)) {
                renderer.apply(digest, in);
            } catch (IOException e) {
                throw BosunException.precondition("cannot read layer " + digest + " of " + subject + " from the store ("
                        + e.getMessage() + ")");
            }
        }
    }
}
