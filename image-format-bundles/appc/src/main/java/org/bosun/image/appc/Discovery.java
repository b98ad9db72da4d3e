package org.bosun.image.appc;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;

/**
 * appc meta discovery (appc spec, "Image Discovery"): asks {@code https://NAME?ac-discovery=1},
 * then each parent path of the name, until a page announces templates (or keys) for the name.
 * Plain HTTP is tried after HTTPS only when the user allowed it.
 */
final class Discovery {
    static final int MAX_PAGE_BYTES = 1 << 20;

    /** Where an image and its signature are. */
    record Endpoint(URI aci, URI signature) {
    }

    private final HttpSource source;
    private final DiscoveryHosts hosts;

    Discovery(HttpSource source, DiscoveryHosts hosts) {
        this.source = source;
        this.hosts = hosts;
    }

    /** The image URLs of the best matching templates for {@code name} with {@code labels}, in page order. */
    List<Endpoint> images(String name, Map<String, String> labels) {
        List<String> tried = new ArrayList<>();
        for (String path : paths(name)) {
            Optional<DiscoveryDocument> page = page(path, name, tried);
            if (page.isEmpty()) {
                continue;
            }
            List<Endpoint> endpoints = endpoints(page.get(), name, labels, tried.get(tried.size() - 1));
            if (!endpoints.isEmpty()) {
                return endpoints;
            }
        }
        throw BosunException.notFound("appc discovery found no ac-discovery meta tag for " + name + " at "
                + String.join(", ", tried) + "; check the name, or give the image's https:// URL or file");
    }

    /**
     * The image URLs that the discovery page {@code page} (fetched from {@code where}) announces for
     * {@code name} with {@code labels}, from its best matching templates; empty when it announces none.
     */
    static List<Endpoint> endpoints(DiscoveryDocument page, String name, Map<String, String> labels, String where) {
        List<String> templates = page.templatesFor(name);
        List<DiscoveryTemplate> best = DiscoveryTemplate.best(templates, labels);
        if (!templates.isEmpty() && best.isEmpty()) {
            throw BosunException.notFound("appc discovery of " + name + " at " + where
                    + " found templates, but none that the labels " + labels + " fill completely: " + templates);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (DiscoveryTemplate t : best) {
            endpoints.add(new Endpoint(uri(t.fill(name, labels, "aci"), name), uri(t.fill(name, labels, "aci.asc"), name)));
        }
        return endpoints;
    }

    /** The key URLs that {@code page} announces for {@code prefix}. */
    static List<URI> pubkeys(DiscoveryDocument page, String prefix) {
        return page.pubkeysFor(prefix).stream().map(k -> uri(k, prefix)).toList();
    }

    /** The key URLs announced for {@code prefix}, from the first page that announces any. */
    List<URI> pubkeys(String prefix) {
        List<String> tried = new ArrayList<>();
        for (String path : paths(prefix)) {
            Optional<DiscoveryDocument> page = page(path, prefix, tried);
            List<URI> keys = page.map(p -> pubkeys(p, prefix)).orElse(List.of());
            if (!keys.isEmpty()) {
                return keys;
            }
        }
        throw BosunException.notFound("appc discovery found no ac-discovery-pubkeys meta tag for " + prefix + " at "
                + String.join(", ", tried) + "; give the key file or its URL instead");
    }

    /** The discovery page of {@code path}, or empty when the server has none (4xx); {@code tried} collects the URLs asked. */
    private Optional<DiscoveryDocument> page(String path, String name, List<String> tried) {
        URI https = hosts.discoveryUri("https", path);
        tried.add(https.toString());
        String subject = "the appc discovery of " + name;
        try {
            return source.text(https, subject, MAX_PAGE_BYTES).map(DiscoveryDocument::parse);
        } catch (BosunException e) {
            if (!source.allowsPlainHttp() || e.kind() != ErrorKind.UNAVAILABLE) {
                throw e;
            }
            URI http = hosts.discoveryUri("http", path);
            tried.add(http.toString());
            return source.text(http, subject, MAX_PAGE_BYTES).map(DiscoveryDocument::parse);
        }
    }

    /** {@code example.com/a/b}, then {@code example.com/a}, then {@code example.com}. */
    static List<String> paths(String name) {
        List<String> paths = new ArrayList<>();
        String path = name;
        while (true) {
            paths.add(path);
            int slash = path.lastIndexOf('/');
            if (slash <= 0) {
                return paths;
            }
            path = path.substring(0, slash);
        }
    }

    private static URI uri(String text, String name) {
        try {
            URI uri = new URI(text);
            if (!uri.isAbsolute() || uri.getHost() == null) {
                throw new java.net.URISyntaxException(text, "not an absolute URL with a host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw BosunException.invalid("appc discovery of " + name + " announced the bad URL '" + text + "' ("
                    + e.getReason() + ")");
        }
    }
}
