package org.bosun.image.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.image.oci.model.Descriptor;
import org.bosun.image.oci.model.Digests;
import org.bosun.image.oci.model.DockerReference;
import org.bosun.image.oci.model.Documents;
import org.bosun.image.oci.model.MediaTypes;
import org.bosun.image.oci.model.OciManifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;

/**
 * A {@code docker save} tarball, unpacked: {@code manifest.json} lists each image's config file,
 * tags and layer tars. Such an archive has no registry manifest, so bosun makes the one
 * containers/image makes for it (same fields, same order, no spaces), byte for byte: its digest is
 * the image id and what {@code skopeo inspect docker-archive:FILE} shows, so a simple signature
 * made with {@code skopeo standalone-sign} over {@code skopeo inspect --raw} verifies.
 */
final class DockerArchive {
    private final ArchiveExtractor archive;
    private final Path dir;
    private final String subject;

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Entry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
            @JsonProperty("Layers") List<String> layers) {
    }

    DockerArchive(ArchiveExtractor archive, Path dir, String subject) {
        this.archive = archive;
        this.dir = dir;
        this.subject = subject;
    }

    LocalImage image(String ref) {
        Path manifestFile = dir.resolve("manifest.json");
        if (!Files.isRegularFile(manifestFile)) {
            throw BosunException.invalid(subject + " is not a docker save archive (no manifest.json)");
        }
        List<Entry> entries;
        try (InputStream in = Files.newInputStream(manifestFile)) {
            byte[] bytes = Documents.readLimited(in, Documents.MAX_MANIFEST_BYTES, subject + "'s manifest.json");
            entries = Documents.json().readValue(bytes, new TypeReference<List<Entry>>() { });
        } catch (IOException e) {
            throw BosunException.invalid(subject + "'s manifest.json is not a docker save manifest (" + e.getMessage()
                    .replaceAll("\\s+", " ") + ")");
        }
        Entry chosen = choose(entries, ref);
        if (chosen.config() == null || chosen.layers() == null || chosen.layers().size() > Documents.MAX_LAYERS) {
            throw BosunException.invalid(subject + "'s manifest.json has an image without config or with too many layers");
        }
        Map<String, Path> files = new HashMap<>();
        Path configFile = archive.file(chosen.config(), "config");
        byte[] config;
        try (InputStream in = Files.newInputStream(configFile)) {
            config = Documents.readLimited(in, Documents.MAX_CONFIG_BYTES, subject + "'s config " + chosen.config());
        } catch (IOException e) {
            throw BosunException.invalid("cannot read " + subject + "'s config (" + e.getMessage() + ")");
        }
        String configDigest = Digests.sha256(config);
        files.put(configDigest, configFile);
        List<Descriptor> layers = new ArrayList<>();
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"").append(MediaTypes.DOCKER_MANIFEST)
                .append("\",\"config\":{\"mediaType\":\"").append(MediaTypes.DOCKER_CONFIG).append("\",\"size\":")
                .append(config.length).append(",\"digest\":\"").append(configDigest).append("\"},\"layers\":[");
        for (int i = 0; i < chosen.layers().size(); i++) {
            Path layer = archive.file(chosen.layers().get(i), "layer");
            String digest = digest(layer);
            long size = size(layer);
            files.put(digest, layer);
            layers.add(new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, digest, size, null, null));
            json.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.DOCKER_LAYER_GZIP)
                    .append("\",\"size\":").append(size).append(",\"digest\":\"").append(digest).append("\"}");
        }
        json.append("]}");
        byte[] manifestBytes = json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        OciManifest manifest = new OciManifest(2, MediaTypes.DOCKER_MANIFEST,
                new Descriptor(MediaTypes.DOCKER_CONFIG, configDigest, config.length, null, null), layers, null);
        List<DockerReference> names = new ArrayList<>();
        String tag = null;
        for (String repoTag : chosen.repoTags() == null ? List.<String>of() : chosen.repoTags()) {
            try {
                DockerReference r = DockerReference.parse(repoTag);
                if (ref == null || ref.equals(repoTag) || ref.equals(r.toString())) {
                    names.add(r);
                    tag = tag == null ? r.tag() : tag;
                }
            } catch (BosunException e) {
                // a tag docker would not write: the image stays unnamed by it
            }
        }
        return new LocalImage(Digests.sha256(manifestBytes), MediaTypes.DOCKER_MANIFEST, manifest, config, files::get,
                names, tag);
    }

    private Entry choose(List<Entry> entries, String ref) {
        if (entries == null || entries.isEmpty()) {
            throw BosunException.invalid(subject + "'s manifest.json lists no image");
        }
        if (ref == null) {
            if (entries.size() > 1) {
                throw BosunException.invalid(subject + " holds " + entries.size() + " images; name one as"
                        + " docker-archive:FILE:REPO:TAG");
            }
            return entries.get(0);
        }
        for (Entry e : entries) {
            for (String t : e.repoTags() == null ? List.<String>of() : e.repoTags()) {
                if (t.equals(ref) || DockerReference.parse(t).toString().equals(DockerReference.parse(ref).toString())) {
                    return e;
                }
            }
        }
        throw BosunException.notFound(subject + " has no image tagged " + ref);
    }

    private String digest(Path file) {
        MessageDigest sha = Digests.newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw BosunException.precondition("cannot read " + file + " of " + subject + " (" + e.getMessage() + ")");
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw BosunException.precondition("cannot read " + file + " of " + subject + " (" + e.getMessage() + ")");
        }
    }
}
