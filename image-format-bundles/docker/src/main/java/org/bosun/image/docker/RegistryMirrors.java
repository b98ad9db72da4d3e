package org.bosun.image.docker;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;
import org.bosun.image.oci.signing.ConfigFiles;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Registry mirrors in {@code mirrors.d/*.json} of the system and then the local configuration
 * directory (a later file wins for the same registry):
 *
 * <pre>
 * {"bosunKind": "registryMirror", "bosunVersion": "v1", "registry": "docker.io",
 *  "mirrors": ["https://mirror.example.com"]}
 * </pre>
 *
 * Mirrors are tried in order before the registry itself; what they serve is checked against the
 * digests and signatures of the image as named, so a mirror can withhold an image but not change it.
 */
final class RegistryMirrors {
    static final String KIND = "registryMirror";
    private static final Set<String> FIELDS = Set.of("bosunKind", "bosunVersion", "registry", "mirrors");

    private final Map<String, List<URI>> mirrors;

    private RegistryMirrors(Map<String, List<URI>> mirrors) {
        this.mirrors = mirrors;
    }

    static RegistryMirrors load(RuntimePaths paths) {
        Map<String, List<URI>> result = new LinkedHashMap<>();
        for (Path file : ConfigFolder.of(paths, "mirrors.d").files("*.json")) {
            JsonNode node = ConfigFiles.read(file, KIND, FIELDS);
            String registry = ConfigFiles.text(node, "registry", file, true);
            List<URI> uris = new ArrayList<>();
            for (JsonNode m : node.path("mirrors")) {
                URI uri;
                try {
                    uri = new URI(m.asText().replaceAll("/+$", ""));
                } catch (URISyntaxException e) {
                    uri = null;
                }
                if (uri == null || uri.getAuthority() == null
                        || !"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                    throw BosunException.invalid("configuration file " + file + " has the mirror '" + m.asText()
                            + "'; give an https:// (or http://) URL");
                }
                uris.add(uri);
            }
            result.put(registry, uris);
        }
        return new RegistryMirrors(result);
    }

    List<URI> forRegistry(String registry) {
        return mirrors.getOrDefault(registry, List.of());
    }
}
