package org.bosun.image.oci.signing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;
import org.bosun.image.oci.model.Digests;
import org.bosun.image.oci.model.DockerReference;
import org.bosun.image.oci.model.Documents;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where simple signatures are kept: containers' lookaside "sigstore" directories, configured in
 * {@code sigstore.d/*.json} of the system and then the local configuration directory (a later
 * file with the same prefix wins, so local overrides system):
 *
 * <pre>
 * {"bosunKind": "sigstore", "bosunVersion": "v1", "prefix": "127.0.0.1:5000/", "url": "file:///var/lib/bosun-sigstore"}
 * </pre>
 *
 * The store with the longest prefix that covers a repository (component by component; {@code ""}
 * covers every one) serves it. Signature {@code N} of manifest {@code sha256:HEX} of
 * {@code host/team/app} is at {@code URL/team/app@sha256=HEX/signature-N}, as skopeo and podman
 * write it ({@code skopeo copy --sign-by} with a {@code registries.d} {@code sigstore-staging}).
 * URLs are {@code file:}, {@code https:} or {@code http:}.
 */
public final class Lookaside {
    /** The most signatures read for one manifest. */
    public static final int MAX_SIGNATURES = 16;
    /** The largest signature read. */
    public static final int MAX_SIGNATURE_BYTES = 4 << 20;
    static final String KIND = "sigstore";
    private static final Set<String> FIELDS = Set.of("bosunKind", "bosunVersion", "rktKind", "rktVersion", "prefix", "url");

    private final Map<String, URI> stores;

    private Lookaside(Map<String, URI> stores) {
        this.stores = stores;
    }

    /** Reads the configuration; refuses a bad file naming it. */
    public static Lookaside load(RuntimePaths paths) {
        Map<String, URI> stores = new LinkedHashMap<>();
        for (Path file : ConfigFolder.of(paths, "sigstore.d").files("*.json")) {
            JsonNode node = ConfigFiles.read(file, KIND, FIELDS);
            String prefix = ConfigFiles.text(node, "prefix", file, true);
            String url = ConfigFiles.text(node, "url", file, true);
            URI uri;
            try {
                uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getScheme() == null || !Set.of("file", "http", "https").contains(uri.getScheme())) {
                throw BosunException.invalid("sigstore configuration " + file + " has the url '" + url
                        + "'; give a file:///, https:// or http:// URL");
            }
            stores.put(trimSlashes(prefix), uri);
        }
        return new Lookaside(stores);
    }

    private static String trimSlashes(String s) {
        String t = s;
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    /** The store that serves {@code repository} ({@code host/path}), if one is configured. */
    public Optional<URI> storeFor(String repository) {
        String best = null;
        for (String prefix : stores.keySet()) {
            if (prefix.isEmpty() || repository.equals(prefix) || repository.startsWith(prefix + "/")) {
                if (best == null || prefix.length() > best.length()) {
                    best = prefix;
                }
            }
        }
        return best == null ? Optional.empty() : Optional.of(stores.get(best));
    }

    /** Every configured store by prefix. */
    public Map<String, URI> stores() {
        return Map.copyOf(stores);
    }

    /** The URL of signature {@code index} (1-based). */
    public static URI signatureUri(URI store, DockerReference reference, String manifestDigest, int index) {
        String base = store.toString();
        return URI.create(base + "/" + reference.path() + "@sha256=" + Digests.hex(manifestDigest) + "/signature-" + index);
    }

    /**
     * The signatures of {@code manifestDigest} of {@code reference}'s repository in {@code store}:
     * {@code signature-1}, {@code signature-2}, ... up to the first that is missing.
     */
    public static List<byte[]> signatures(URI store, DockerReference reference, String manifestDigest, HttpClient http,
            String subject) {
        List<byte[]> found = new ArrayList<>();
        for (int i = 1; i <= MAX_SIGNATURES; i++) {
            URI uri = signatureUri(store, reference, manifestDigest, i);
            byte[] data = read(uri, http, subject);
            if (data == null) {
                break;
            }
            found.add(data);
        }
        return found;
    }

    private static byte[] read(URI uri, HttpClient http, String subject) {
        try {
            if (uri.getScheme().equals("file")) {
                try (InputStream in = Files.newInputStream(Path.of(uri))) {
                    return Documents.readLimited(in, MAX_SIGNATURE_BYTES, "signature " + uri + " of " + subject);
                } catch (NoSuchFileException e) {
                    return null;
                }
            }
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET()
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() == 404) {
                    return null;
                }
                if (response.statusCode() != 200) {
                    throw BosunException.unavailable("cannot read signature " + uri + " of " + subject + ": HTTP "
                            + response.statusCode());
                }
                return Documents.readLimited(in, MAX_SIGNATURE_BYTES, "signature " + uri + " of " + subject);
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot read signature " + uri + " of " + subject + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("interrupted while reading signature " + uri + " of " + subject);
        }
    }

    /**
     * Repositories that have signatures of {@code manifestDigest} in the {@code file:} stores, for
     * images read from archives that do not say their name: {@code prefix + path} for every
     * directory {@code PATH@sha256=HEX} under a store whose prefix names a registry.
     */
    public List<DockerReference> repositoriesSigning(String manifestDigest) {
        String suffix = "@sha256=" + Digests.hex(manifestDigest);
        List<DockerReference> found = new ArrayList<>();
        for (Map.Entry<String, URI> store : stores.entrySet()) {
            if (!store.getValue().getScheme().equals("file") || store.getKey().isEmpty()) {
                continue;
            }
            Path root = Path.of(store.getValue());
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> dirs = Files.walk(root, 8)) {
                for (Iterator<Path> it = dirs.iterator(); it.hasNext();) {
                    Path dir = it.next();
                    String rel = root.relativize(dir).toString();
                    if (rel.endsWith(suffix) && Files.isDirectory(dir)) {
                        String path = rel.substring(0, rel.length() - suffix.length());
                        try {
                            found.add(DockerReference.parse(store.getKey() + "/" + path + "@" + manifestDigest));
                        } catch (BosunException e) {
                            // not a repository name: nothing bosun could have signed there
                        }
                    }
                }
            } catch (IOException e) {
                throw BosunException.precondition("cannot read the sigstore " + root + " (" + e.getMessage() + ")");
            }
        }
        return found;
    }
}
