package org.bosun.core;

import java.io.IOException;
import java.util.Map;

import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.StoredImage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The image manifest of an exported app ({@link PodExport}). An ACI's is its own, as rkt's export
 * kept it, less its dependencies and path whitelist: the exported root filesystem already holds
 * every layer. Another format's image gets an appc manifest made from what it said (its name,
 * labels with the os and arch it runs on, its app), so the archive is an ACI bosun and rkt fetch.
 */
final class ExportedManifest {
    static final String AC_VERSION = "0.8.11";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExportedManifest() {
    }

    static String of(StoredImage image, String original) {
        try {
            JsonNode node = original == null ? null : JSON.readTree(original);
            if (node instanceof ObjectNode aci && "ImageManifest".equals(aci.path("acKind").asText())) {
                aci.remove("dependencies");
                aci.remove("pathWhitelist");
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(aci) + "\n";
            }
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(converted(image.manifest())) + "\n";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ObjectNode converted(ImageManifest m) {
        ObjectNode root = JSON.createObjectNode();
        root.put("acKind", "ImageManifest").put("acVersion", AC_VERSION).put("name", acIdentifier(m.name()));
        Map<String, String> labels = new java.util.LinkedHashMap<>(m.labels());
        labels.putIfAbsent("os", "linux");
        labels.putIfAbsent("arch", ImagePlatform.hostArchitectures().iterator().next());
        root.set("labels", nameValues(labels));
        ObjectNode app = root.putObject("app");
        ArrayNode exec = app.putArray("exec");
        m.exec().forEach(exec::add);
        app.put("user", m.user() == null || m.user().isEmpty() ? "0" : m.user());
        app.put("group", m.group() == null || m.group().isEmpty() ? "0" : m.group());
        if (m.workingDirectory() != null) {
            app.put("workingDirectory", m.workingDirectory());
        }
        app.set("environment", nameValues(m.environment()));
        ArrayNode ports = app.putArray("ports");
        m.ports().forEach(p -> ports.addObject().put("name", p.name()).put("protocol", p.protocol()).put("port", p.port()));
        ArrayNode mounts = app.putArray("mountPoints");
        m.mountPoints().forEach(p -> mounts.addObject().put("name", p.name()).put("path", p.path())
                .put("readOnly", p.readOnly()));
        ArrayNode handlers = app.putArray("eventHandlers");
        m.eventHandlers().forEach((name, argv) -> {
            ObjectNode handler = handlers.addObject().put("name", name);
            ArrayNode handlerExec = handler.putArray("exec");
            argv.forEach(handlerExec::add);
        });
        if (!m.supplementaryGids().isEmpty()) {
            ArrayNode gids = app.putArray("supplementaryGIDs");
            m.supplementaryGids().forEach(gids::add);
        }
        ArrayNode isolators = app.putArray("isolators");
        for (ImageManifest.Isolator i : m.isolators()) {
            try {
                isolators.addObject().put("name", i.name()).set("value", JSON.readTree(i.value()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        root.set("annotations", nameValues(m.annotations()));
        return root;
    }

    /** appc names are lower case ACIdentifiers: a Docker name's other characters become '-'. */
    static String acIdentifier(String name) {
        String id = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._~/-]", "-")
                .replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
        return id.isEmpty() ? "exported" : id;
    }

    private static ArrayNode nameValues(Map<String, String> map) {
        ArrayNode array = JSON.createArrayNode();
        map.forEach((k, v) -> array.addObject().put("name", k).put("value", v));
        return array;
    }
}
