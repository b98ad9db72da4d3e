package org.bosun.host.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * Images written by hand around crafted content, as no real tool would write a hostile one: an
 * ACI's manifest, an OCI image layout and a {@code docker save} archive of one gzip layer. For the
 * formats' tests and the end-to-end tests.
 */
public final class ImageArchives {
    private ImageArchives() {
    }

    /** A valid ACI image manifest for {@code name}, running /bin/sh as root. */
    public static String aciManifest(String name) {
        return "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"" + name + "\","
                + "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"},{\"name\":\"os\",\"value\":\"linux\"}],"
                + "\"app\":{\"exec\":[\"/bin/sh\"],\"user\":\"0\",\"group\":\"0\"}}";
    }

    /** The config of an image of {@code layer} (the uncompressed tar), without a platform. */
    static byte[] config(byte[] layer) {
        return ("{\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha256(layer)
                + "\"]}}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes an OCI image layout of one image, tagged {@code latest}, whose one layer is
     * {@code layer} gzipped, into {@code dir} (created).
     */
    public static Path ociLayout(Path dir, Tar layer) throws IOException {
        byte[] tar = layer.bytes();
        byte[] gz = gzip(tar);
        byte[] config = config(tar);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + sha256(gz) + "\",\"size\":" + gz.length
                + "}]}").getBytes(StandardCharsets.UTF_8);
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        for (byte[] blob : new byte[][] {gz, config, manifest}) {
            Files.write(blobs.resolve(sha256(blob).substring("sha256:".length())), blob);
        }
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + sha256(manifest) + "\",\"size\":"
                + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}");
        return dir;
    }

    /** Writes a {@code docker save} archive of one image tagged {@code repoTag} whose one layer is {@code layer}. */
    public static Path dockerArchive(Path file, Tar layer, String repoTag) throws IOException {
        byte[] tar = layer.bytes();
        byte[] config = config(tar);
        String configName = sha256(config).substring("sha256:".length()) + ".json";
        String manifest = "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + repoTag + "\"],\"Layers\":[\"layer/layer.tar\"]}]";
        Tar archive = new Tar().file("manifest.json", manifest).file(configName, new String(config, StandardCharsets.UTF_8))
                .dir("layer", 0755).file("layer/layer.tar", tar, 0644, 0, 0);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, archive.bytes());
        return file;
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
