package org.bosun.image.appc;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Where discovery asks a domain. The appc spec asks {@code https://{name}?ac-discovery=1}, port
 * 443; an image name cannot carry a port. A server that answers discovery on another port (an
 * internal or test server) is configured in {@code discovery.d/*.json} of the system and then the
 * local configuration directory (a later file wins for the same domain):
 *
 * <pre>
 * {"bosunKind": "discovery", "bosunVersion": "v1", "domains": ["localhost"], "port": 8443}
 * </pre>
 */
final class DiscoveryHosts {
    static final String DIRECTORY = "discovery.d";
    private static final Set<String> FIELDS = Set.of("bosunKind", "bosunVersion", "domains", "port");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> ports;

    private DiscoveryHosts(Map<String, Integer> ports) {
        this.ports = ports;
    }

    static DiscoveryHosts load(RuntimePaths paths) {
        Map<String, Integer> ports = new HashMap<>();
        for (Path file : ConfigFolder.of(paths, DIRECTORY).files("*.json")) {
            JsonNode node = read(file);
            JsonNode domains = node.path("domains");
            JsonNode port = node.path("port");
            if (!domains.isArray() || domains.isEmpty() || !port.canConvertToInt() || port.asInt() < 1
                    || port.asInt() > 65535) {
                throw BosunException.invalid("configuration file " + file + " needs \"domains\": [\"host\", ...] and"
                        + " \"port\": a port number from 1 to 65535");
            }
            domains.forEach(d -> ports.put(d.asText(), port.asInt()));
        }
        return new DiscoveryHosts(ports);
    }

    /** The discovery URL of {@code path} ({@code example.com/app}): {@code https://example.com[:port]/app?ac-discovery=1}. */
    URI discoveryUri(String scheme, String path) {
        int slash = path.indexOf('/');
        String host = slash < 0 ? path : path.substring(0, slash);
        String rest = slash < 0 ? "" : path.substring(slash);
        Integer port = ports.get(host);
        return URI.create(scheme + "://" + host + (port == null ? "" : ":" + port) + rest + "?ac-discovery=1");
    }

    private static JsonNode read(Path file) {
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw BosunException.invalid("configuration file " + file + " is not JSON (" + e.getMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw BosunException.invalid("configuration file " + file + " is not a JSON object");
        }
        if (!"discovery".equals(node.path("bosunKind").asText()) || !"v1".equals(node.path("bosunVersion").asText())) {
            throw BosunException.invalid("configuration file " + file + " needs \"bosunKind\": \"discovery\" and"
                    + " \"bosunVersion\": \"v1\"");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw BosunException.invalid("configuration file " + file + " has the unknown field \"" + f
                        + "\"; known are " + FIELDS);
            }
        });
        return node;
    }
}
