package org.bosun.image.oci.model;

import java.io.IOException;
import java.io.InputStream;

import org.bosun.api.BosunException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads manifests, indexes and configs as untrusted input: size limits first (as containers/image
 * does, 4 MiB for manifests and configs), then the JSON, then the fields bosun relies on.
 */
public final class Documents {
    /** The largest manifest or index accepted (the OCI distribution spec's recommended minimum). */
    public static final int MAX_MANIFEST_BYTES = 4 << 20;
    /** The largest image config accepted. */
    public static final int MAX_CONFIG_BYTES = 8 << 20;
    /** The most layers an image may have. */
    public static final int MAX_LAYERS = 1000;

    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    private Documents() {
    }

    /** The shared mapper (configured to ignore unknown fields). */
    public static ObjectMapper json() {
        return JSON;
    }

    /** Reads at most {@code limit} bytes of {@code in}; more is refused naming {@code subject}. */
    public static byte[] readLimited(InputStream in, int limit, String subject) throws IOException {
        byte[] data = in.readNBytes(limit + 1);
        if (data.length > limit) {
            throw BosunException.invalid(subject + " is larger than " + (limit >> 20) + " MiB, which is more than"
                    + " any real one; refused");
        }
        return data;
    }

    /** The media type a manifest or index says it has, or null. */
    public static String mediaType(byte[] json, String subject) {
        JsonNode node = tree(json, subject);
        JsonNode mt = node.get("mediaType");
        if (mt != null && mt.isTextual()) {
            return mt.asText();
        }
        // OCI lets both leave mediaType out: an index has "manifests", an image manifest "config".
        if (node.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (node.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        JsonNode version = node.get("schemaVersion");
        if (version != null && version.asInt() == 1) {
            return MediaTypes.DOCKER_MANIFEST_V1_SIGNED;
        }
        return null;
    }

    /** Parses an image manifest and checks its config and layer descriptors. */
    public static OciManifest manifest(byte[] json, String subject) {
        check(json.length, MAX_MANIFEST_BYTES, subject);
        OciManifest m = parse(json, OciManifest.class, subject);
        if (m.schemaVersion() != 2) {
            throw BosunException.invalid(subject + " has schemaVersion " + m.schemaVersion() + "; bosun reads schema 2"
                    + " and OCI manifests only (push the image again with a current docker or skopeo)");
        }
        if (m.config() == null) {
            throw BosunException.invalid(subject + " has no config descriptor");
        }
        Digests.check(m.config().digest(), subject + "'s config");
        if (m.layers().size() > MAX_LAYERS) {
            throw BosunException.invalid(subject + " has " + m.layers().size() + " layers, more than " + MAX_LAYERS);
        }
        for (Descriptor layer : m.layers()) {
            Digests.check(layer.digest(), subject + "'s layer");
            if (!MediaTypes.isLayer(layer.mediaType())) {
                throw BosunException.invalid(subject + " has layer " + layer.digest() + " of media type '" + layer.mediaType()
                        + "', which is not a tar layer bosun can apply");
            }
            if (layer.size() < 0) {
                throw BosunException.invalid(subject + " has layer " + layer.digest() + " with a negative size");
            }
        }
        return m;
    }

    /** Parses an image index or manifest list. */
    public static ImageIndex index(byte[] json, String subject) {
        check(json.length, MAX_MANIFEST_BYTES, subject);
        ImageIndex index = parse(json, ImageIndex.class, subject);
        for (Descriptor d : index.manifests()) {
            Digests.check(d.digest(), subject + "'s entry");
        }
        return index;
    }

    /** Parses an image config. */
    public static ImageConfig config(byte[] json, String subject) {
        check(json.length, MAX_CONFIG_BYTES, subject);
        return parse(json, ImageConfig.class, subject);
    }

    private static void check(int length, int limit, String subject) {
        if (length > limit) {
            throw BosunException.invalid(subject + " is larger than " + (limit >> 20) + " MiB, which is more than any"
                    + " real one; refused");
        }
    }

    private static JsonNode tree(byte[] json, String subject) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw BosunException.invalid(subject + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw BosunException.invalid(subject + " is not valid JSON (" + oneLine(e) + ")");
        }
    }

    private static <T> T parse(byte[] json, Class<T> type, String subject) {
        tree(json, subject);
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw BosunException.invalid(subject + " is not a valid " + type.getSimpleName() + " (" + oneLine(e) + ")");
        } catch (IOException e) {
            throw BosunException.invalid(subject + " cannot be read (" + oneLine(e) + ")");
        }
    }

    /** The message of {@code e} on one line, for messages that quote a parser's complaint. */
    public static String oneLine(Exception e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").trim();
    }
}
