package org.bosun.itest.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

import org.bosun.tck.common.TckPlatform;
import org.bosun.tck.image.ImageFormatTck;

/**
 * The image format TCK on bosun's oci format: an OCI image layout (image-spec 1.0: oci-layout,
 * index.json, blobs/sha256) written here from the spec, one gzipped layer made with the system's tar
 * and gzip, fetched as {@code oci:DIR:latest}.
 */
public class OciFormatTckIT extends ImageFormatTck {
    private static final String LAYOUT = "image-format-tck";

    @Override
    protected String formatName() {
        return "oci";
    }

    @Override
    protected String expectedName(TestImage image, String reference) {
        return "localhost/" + LAYOUT; // an OCI layout names no repository: the format names it after the directory
    }

    @Override
    protected String buildImage(Path workDir, TestImage image) throws Exception {
        return "oci:" + layout(workDir, image) + ":latest";
    }

    /**
     * Writes {@code image} as an OCI image layout {@code WORKDIR/image-format-tck} with one manifest,
     * tagged {@code latest}, and returns the layout's directory (DockerFormatTckIT pushes it).
     */
    static Path layout(Path workDir, TestImage image) throws Exception {
        Path layout = workDir.resolve(LAYOUT);
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path tar = workDir.resolve("layer.tar");
        TckPlatform.exec(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "--sort=name", "--mtime=@0",
                "-cf", tar.toString(), "-C", image.rootfs().toString(), "."));
        String diffId = sha256(Files.readAllBytes(tar));
        TckPlatform.exec(List.of("gzip", "-n", "-f", tar.toString()));
        byte[] layer = Files.readAllBytes(workDir.resolve("layer.tar.gz"));
        Files.delete(workDir.resolve("layer.tar.gz"));
        String layerDigest = blob(blobs, layer);
        String env = image.environment().entrySet().stream().map(e -> json(e.getKey() + "=" + e.getValue()))
                .collect(Collectors.joining(","));
        String cmd = image.exec().stream().map(OciFormatTckIT::json).collect(Collectors.joining(","));
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[" + env + "],\"Cmd\":[" + cmd
                + "],\"WorkingDir\":" + json(image.workingDirectory()) + ",\"User\":" + json(image.user() + ":" + image.group())
                + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + diffId + "\"]}}").getBytes();
        String configDigest = blob(blobs, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"sha256:" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes();
        String manifestDigest = blob(blobs, manifest);
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + manifestDigest + "\",\"size\":"
                + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}}]}");
        return layout;
    }

    private static String blob(Path blobs, byte[] content) throws IOException, NoSuchAlgorithmException {
        String digest = sha256(content);
        Files.write(blobs.resolve(digest), content);
        return digest;
    }

    private static String sha256(byte[] content) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
