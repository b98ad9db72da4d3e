package org.bosun.image.oci.signing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.image.oci.model.Documents;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * bosun's configuration files as bundles/cli reads them: one JSON object that says its kind and
 * version ({@code "bosunKind": "sigstore", "bosunVersion": "v1"}; rkt's {@code rktKind} and
 * {@code rktVersion} are accepted too), unknown fields refused, every failure naming the file.
 */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /** Reads {@code file}, which must be of {@code kind} and use only {@code fields}. */
    public static JsonNode read(Path file, String kind, Set<String> fields) {
        JsonNode node;
        try {
            node = Documents.json().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw BosunException.invalid("configuration file " + file + " is not valid JSON (" + Documents.oneLine(e) + ")");
        }
        if (node == null || !node.isObject()) {
            throw BosunException.invalid("configuration file " + file + " is not a JSON object");
        }
        String k = node.hasNonNull("bosunKind") ? node.get("bosunKind").asText() : node.path("rktKind").asText(null);
        String v = node.hasNonNull("bosunVersion") ? node.get("bosunVersion").asText() : node.path("rktVersion").asText(null);
        if (!kind.equals(k)) {
            throw BosunException.invalid("configuration file " + file + " is of kind '" + k + "'; files in this directory"
                    + " say \"bosunKind\": \"" + kind + "\"");
        }
        if (!"v1".equals(v)) {
            throw BosunException.invalid("configuration file " + file + " has version '" + v + "'; this bosun reads v1");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!fields.contains(field)) {
                throw BosunException.invalid("configuration file " + file + " has the unknown field '" + field
                        + "'; a " + kind + " file has " + String.join(", ", fields.stream().sorted().toList()));
            }
        }
        return node;
    }

    /** A text field; refuses a missing required one naming the file. */
    public static String text(JsonNode node, String field, Path file, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw BosunException.invalid("configuration file " + file + " has no '" + field + "'");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw BosunException.invalid("configuration file " + file + " has a '" + field + "' that is not a string");
        }
        return value.asText();
    }
}
