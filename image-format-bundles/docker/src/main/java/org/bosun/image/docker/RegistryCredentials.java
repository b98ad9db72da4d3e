package org.bosun.image.docker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;
import org.bosun.image.oci.signing.ConfigFiles;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Registry credentials in {@code auth.d/*.json} of the system and then the local configuration
 * directory, in rkt's {@code dockerAuth} format (a later file wins for the same registry):
 *
 * <pre>
 * {"rktKind": "dockerAuth", "rktVersion": "v1", "registries": ["quay.io", "127.0.0.1:5000"],
 *  "credentials": {"user": "me", "password": "secret"}}
 * </pre>
 *
 * {@code bosunKind}/{@code bosunVersion} are accepted in place of rkt's names. Files of other
 * kinds in {@code auth.d} (rkt's {@code auth} for appc hosts) are left to their readers.
 */
final class RegistryCredentials {
    static final String KIND = "dockerAuth";
    private static final Set<String> FIELDS = Set.of("bosunKind", "bosunVersion", "rktKind", "rktVersion", "registries",
            "credentials");

    /** @param user the user @param password the password */
    record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + "]"; // never the password
        }
    }

    private final Map<String, Credentials> byRegistry;

    private RegistryCredentials(Map<String, Credentials> byRegistry) {
        this.byRegistry = byRegistry;
    }

    static RegistryCredentials load(RuntimePaths paths) {
        Map<String, Credentials> result = new LinkedHashMap<>();
        for (Path file : ConfigFolder.of(paths, "auth.d").files("*.json")) {
            JsonNode raw = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            try {
                raw = org.bosun.image.oci.model.Documents.json().readTree(file.toFile());
            } catch (java.io.IOException e) {
                // ConfigFiles.read below names the file and the JSON error
            }
            String kind = raw.hasNonNull("bosunKind") ? raw.get("bosunKind").asText() : raw.path("rktKind").asText("");
            if (!kind.equals(KIND) && raw.isObject()) {
                continue;
            }
            JsonNode node = ConfigFiles.read(file, KIND, FIELDS);
            JsonNode registries = node.path("registries");
            JsonNode creds = node.path("credentials");
            if (!registries.isArray() || registries.isEmpty() || !creds.isObject() || !creds.path("user").isTextual()
                    || !creds.path("password").isTextual()) {
                throw BosunException.invalid("configuration file " + file + " needs \"registries\": [\"host\", ...]"
                        + " and \"credentials\": {\"user\": ..., \"password\": ...}");
            }
            Credentials c = new Credentials(creds.get("user").asText(), creds.get("password").asText());
            registries.forEach(r -> result.put(r.asText(), c));
        }
        return new RegistryCredentials(result);
    }

    /** The credentials for {@code registry} ({@code host[:port]}; Docker Hub as {@code docker.io} too), or null. */
    Credentials forRegistry(String registry) {
        Credentials c = byRegistry.get(registry);
        if (c == null && (registry.equals("registry-1.docker.io") || registry.equals("index.docker.io"))) {
            c = byRegistry.get("docker.io");
        }
        return c;
    }
}
