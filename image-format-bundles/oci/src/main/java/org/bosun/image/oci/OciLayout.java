package org.bosun.image.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.image.oci.model.Descriptor;
import org.bosun.image.oci.model.Digests;
import org.bosun.image.oci.model.DockerReference;
import org.bosun.image.oci.model.Documents;
import org.bosun.image.oci.model.ImageIndex;
import org.bosun.image.oci.model.MediaTypes;
import org.bosun.image.oci.model.OciManifest;
import org.bosun.image.oci.model.Platform;

/**
 * An OCI image layout directory: {@code oci-layout}, {@code index.json}, {@code blobs/sha256/HEX}.
 * The image is picked by its {@code org.opencontainers.image.ref.name} annotation, or is the only
 * one; an index inside is resolved to the host's platform.
 */
final class OciLayout {
    private final Path dir;
    private final String subject;

    OciLayout(Path dir, String subject) {
        this.dir = dir;
        this.subject = subject;
    }

    LocalImage image(String ref) {
        if (!Files.isRegularFile(dir.resolve("oci-layout")) || !Files.isRegularFile(dir.resolve("index.json"))) {
            throw BosunException.notFound(subject + ": " + dir + " is not an OCI image layout (no oci-layout or index.json)");
        }
        byte[] indexBytes;
        try (var in = Files.newInputStream(dir.resolve("index.json"))) {
            indexBytes = Documents.readLimited(in, Documents.MAX_MANIFEST_BYTES, subject + "'s index.json");
        } catch (IOException e) {
            throw BosunException.precondition("cannot read " + dir.resolve("index.json") + " (" + e.getMessage() + ")");
        }
        ImageIndex index = Documents.index(indexBytes, subject + "'s index.json");
        List<Descriptor> matching = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        Set<String> digests = new LinkedHashSet<>();
        for (Descriptor d : index.manifests()) {
            String name = d.annotation(ImageIndex.REF_NAME);
            if (name != null) {
                names.add(name);
            }
            if (ref == null || ref.equals(name)) {
                matching.add(d);
                digests.add(d.digest());
            }
        }
        if (matching.isEmpty()) {
            throw BosunException.notFound(subject + ": the layout has no image named '" + ref + "'"
                    + (names.isEmpty() ? "" : "; it has " + String.join(", ", names)));
        }
        if (digests.size() > 1) {
            throw BosunException.invalid(subject + ": the layout holds " + digests.size() + " images; name one as oci:"
                    + dir + ":NAME with one of " + String.join(", ", names));
        }
        Descriptor chosen = matching.get(0);
        String refName = chosen.annotation(ImageIndex.REF_NAME);
        List<DockerReference> full = new ArrayList<>();
        String tag = refName;
        if (refName != null && refName.contains("/")) {
            // A full reference as the annotation: the archive says its name (and tag).
            try {
                DockerReference r = DockerReference.parse(refName);
                full.add(r);
                tag = r.tag();
            } catch (BosunException e) {
                tag = null;
            }
        }
        return resolve(chosen, full, tag, 0);
    }

    private LocalImage resolve(Descriptor d, List<DockerReference> names, String tag, int depth) {
        Digests.check(d.digest(), subject);
        byte[] bytes = LocalImage.readChecked(blob(d.digest()), d.digest(), Documents.MAX_MANIFEST_BYTES,
                subject + "'s manifest " + d.digest());
        String mediaType = Documents.mediaType(bytes, subject + "'s manifest " + d.digest());
        if (MediaTypes.isIndex(mediaType)) {
            if (depth > 0) {
                throw BosunException.invalid(subject + " has an index inside an index inside an index; refused");
            }
            ImageIndex nested = Documents.index(bytes, subject + "'s index " + d.digest());
            Platform host = Platform.host();
            for (Descriptor m : nested.manifests()) {
                if (host.runs(m.platform())) {
                    return resolve(m, names, tag, depth + 1);
                }
            }
            throw BosunException.notFound(subject + " has no image for " + host + " in its index " + d.digest());
        }
        if (!MediaTypes.isManifest(mediaType)) {
            throw BosunException.invalid(subject + " has the manifest " + d.digest() + " of media type '" + mediaType
                    + "', which bosun does not read");
        }
        OciManifest manifest = Documents.manifest(bytes, subject + "'s manifest " + d.digest());
        byte[] config = LocalImage.readChecked(blob(manifest.config().digest()), manifest.config().digest(),
                Documents.MAX_CONFIG_BYTES, subject + "'s config " + manifest.config().digest());
        return new LocalImage(d.digest(), mediaType, manifest, config, this::blob, names, tag);
    }

    Path blob(String digest) {
        Digests.check(digest, subject);
        Path file = dir.resolve("blobs/sha256").resolve(Digests.hex(digest));
        if (!Files.isRegularFile(file)) {
            throw BosunException.notFound(subject + " misses the blob " + digest + " (" + file + ")");
        }
        return file;
    }
}
