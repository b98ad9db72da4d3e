package org.bosun.image.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.image.oci.model.Digests;
import org.bosun.image.oci.model.DockerReference;
import org.bosun.image.oci.model.Documents;
import org.bosun.image.oci.model.OciManifest;

/**
 * One image found in a layout or archive, before anything is stored: its manifest (as bytes, for
 * the digest, and parsed), its config and where each blob's file is.
 *
 * @param manifestDigest the manifest's digest: the image id
 * @param mediaType the manifest's media type
 * @param manifest the manifest
 * @param config the config's bytes (digest already checked)
 * @param blobFile where a blob's file is, by digest
 * @param names references the archive gives the image (RepoTags, full ref.name annotations)
 * @param tag the tag the archive gives it, or null
 */
record LocalImage(String manifestDigest, String mediaType, OciManifest manifest, byte[] config,
        java.util.function.Function<String, Path> blobFile, List<DockerReference> names, String tag) {

    /** Reads a small file that must have {@code digest}. */
    static byte[] readChecked(Path file, String digest, int limit, String subject) {
        byte[] data;
        try (InputStream in = Files.newInputStream(file)) {
            data = Documents.readLimited(in, limit, subject);
        } catch (IOException e) {
            throw BosunException.notFound("cannot read " + subject + " at " + file + " (" + e.getMessage() + ")");
        }
        String actual = Digests.sha256(data);
        if (!actual.equals(digest)) {
            throw BosunException.invalid(subject + " has the digest " + actual + ", not " + digest
                    + " as its descriptor says; the image is damaged or was tampered with");
        }
        return data;
    }
}
