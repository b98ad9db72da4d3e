package org.bosun.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The stage0 configuration, as rkt kept it: JSON files in {@code paths.d/} and {@code stage1.d/}
 * of the system configuration directory, overridden field by field by the local one. Each file
 * says what it is: {@code {"bosunKind": "paths", "bosunVersion": "v1", "data": "/var/lib/bosun"}}
 * or {@code {"bosunKind": "stage1", "bosunVersion": "v1", "name": "fly"}}. A stage1 file may also
 * give engines' option defaults, {@code "options": {"oci": {"runtime": "crun"}}}, merged per engine
 * and option; {@code --stage1-option} overrides them.
 */
final class Configuration {
    /** The engine used when neither --stage1-name nor stage1.d names one (DESIGN.md: nspawn). */
    static final String BUILT_IN_ENGINE = "nspawn";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<String>> KINDS = Map.of(
            "paths", List.of("data"),
            "stage1", List.of("name", "options"));

    private final Map<String, ObjectNode> merged;

    private Configuration(Map<String, ObjectNode> merged) {
        this.merged = merged;
    }

    static Configuration load(Path systemDir, Path localDir) {
        Map<String, ObjectNode> merged = new LinkedHashMap<>();
        for (String kind : List.of("paths", "stage1")) {
            ObjectNode node = JSON.createObjectNode();
            node.put("bosunKind", kind);
            node.put("bosunVersion", "v1");
            merged.put(kind, node);
        }
        for (String kind : merged.keySet()) {
            readFolder(new ConfigFolder(systemDir, localDir, kind + ".d"), kind, merged);
        }
        return new Configuration(merged);
    }

    private static void readFolder(ConfigFolder folder, String kind, Map<String, ObjectNode> merged) {
        for (Path file : folder.files("*.json")) {
            JsonNode node;
            try {
                node = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw BosunException.invalid("configuration file " + file + " is not valid JSON: "
                        + e.getMessage().lines().findFirst().orElse("") + "; fix or remove it");
            }
            if (node == null || !node.isObject()) {
                throw BosunException.invalid("configuration file " + file + " is not a JSON object; fix or remove it");
            }
            String fileKind = node.path("bosunKind").asText("");
            if (!fileKind.equals(kind)) {
                throw BosunException.invalid("configuration file " + file + " has bosunKind '" + fileKind + "', but "
                        + file.getParent().getFileName() + " holds only '" + kind + "'; fix its bosunKind or move it");
            }
            if (!"v1".equals(node.path("bosunVersion").asText())) {
                throw BosunException.invalid("configuration file " + file + " has bosunVersion '"
                        + node.path("bosunVersion").asText() + "'; this bosun reads v1");
            }
            ObjectNode target = merged.get(kind);
            node.fields().forEachRemaining(field -> {
                if (!field.getKey().startsWith("bosun")) {
                    if (!KINDS.get(kind).contains(field.getKey())) {
                        throw BosunException.invalid("configuration file " + file + " has the unknown field '"
                                + field.getKey() + "'; " + kind + " files know " + KINDS.get(kind));
                    }
                    if (field.getKey().equals("options")) {
                        mergeEngineOptions(file, field.getValue(), target.withObjectProperty("options"));
                    } else {
                        target.set(field.getKey(), field.getValue());
                    }
                }
            });
        }
    }

    Path dataDir() {
        JsonNode data = merged.get("paths").get("data");
        return data != null ? Path.of(data.asText()) : RuntimePaths.DEFAULT_DATA_DIR;
    }

    /** Per engine and option: a value replaces the one of an earlier file; each value is a string. */
    private static void mergeEngineOptions(Path file, JsonNode options, ObjectNode target) {
        if (!options.isObject()) {
            throw BosunException.invalid("configuration file " + file + ": 'options' must map engine names to objects "
                    + "of options, e.g. {\"oci\": {\"runtime\": \"crun\"}}");
        }
        options.fields().forEachRemaining(engine -> {
            if (!engine.getValue().isObject()) {
                throw BosunException.invalid("configuration file " + file + ": the options of engine '" + engine.getKey()
                        + "' must be an object of KEY: \"VALUE\"");
            }
            ObjectNode merged = target.withObjectProperty(engine.getKey());
            engine.getValue().fields().forEachRemaining(option -> {
                if (!option.getValue().isValueNode()) {
                    throw BosunException.invalid("configuration file " + file + ": option '" + option.getKey()
                            + "' of engine '" + engine.getKey() + "' must be a string");
                }
                merged.put(option.getKey(), option.getValue().asText());
            });
        });
    }

    /** The option defaults stage1.d gives {@code engine}, in file order; {@code --stage1-option} goes on top. */
    Map<String, String> engineOptions(String engine) {
        Map<String, String> options = new LinkedHashMap<>();
        JsonNode forEngine = merged.get("stage1").path("options").path(engine);
        forEngine.fields().forEachRemaining(option -> options.put(option.getKey(), option.getValue().asText()));
        return options;
    }

    String defaultEngine() {
        JsonNode name = merged.get("stage1").get("name");
        return name != null ? name.asText() : BUILT_IN_ENGINE;
    }

    /** The whole configuration as {@code bosun config} prints it. */
    ObjectNode toJson(Path effectiveDataDir) {
        ObjectNode root = JSON.createObjectNode();
        var stage0 = root.putArray("stage0");
        ObjectNode paths = merged.get("paths").deepCopy();
        paths.put("data", effectiveDataDir.toString());
        stage0.add(paths);
        ObjectNode stage1 = merged.get("stage1").deepCopy();
        stage1.put("name", defaultEngine());
        stage0.add(stage1);
        return root;
    }
}
