package org.bosun.image.docker;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.bosun.api.BosunException;
import org.bosun.image.oci.model.Documents;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a registry (or its token service) says, read as untrusted input: where a challenge sends
 * for a token, where a redirect leads, the token, the error. Whatever it sends, the answer is a
 * value or one {@link BosunException}, never another exception.
 */
final class RegistryAnswers {
    private RegistryAnswers() {
    }

    /**
     * The token endpoint a bearer {@code challenge} names, asked for {@code repository}'s pull
     * scope unless the challenge names a scope; refused when its realm is no absolute http(s) URL.
     */
    static URI tokenUri(Challenge challenge, String repository, String registry) {
        URI realm = absolute(challenge.get("realm"), registry + " names the token service");
        StringBuilder query = new StringBuilder();
        if (challenge.get("service") != null) {
            query.append("service=").append(URLEncoder.encode(challenge.get("service"), StandardCharsets.UTF_8));
        }
        String scope = challenge.get("scope") != null ? challenge.get("scope") : "repository:" + repository + ":pull";
        query.append(query.length() == 0 ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        return absolute(realm + (realm.getRawQuery() == null ? "?" : "&") + query, registry + " names the token service");
    }

    /** Where a redirect from {@code from} to {@code location} leads; refused unless an absolute http(s) URL. */
    static URI redirect(URI from, String location, String registry) {
        try {
            return absolute(from.resolve(new URI(location)).toString(), registry + " redirects " + from);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw BosunException.unavailable(registry + " redirects " + from + " to a malformed location");
        }
    }

    /** The token in a token service's answer ({@code token} or OAuth's {@code access_token}); null when none. */
    static String token(byte[] body) throws IOException {
        JsonNode json = Documents.json().readTree(body);
        if (json == null) {
            return null;
        }
        String token = json.path("token").asText(json.path("access_token").asText(""));
        // A token goes into a header: one with a line break or control character would forge others.
        return token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? null : token;
    }

    /**
     * The registry's error (JSON {@code errors[].message}), or its JSON body, on one line, for
     * messages; empty when the body is no JSON.
     */
    static String error(String body) {
        String text;
        try {
            JsonNode json = Documents.json().readTree(body);
            if (json != null && json.path("errors").isArray() && !json.path("errors").isEmpty()) {
                JsonNode e = json.path("errors").get(0);
                text = e.path("code").asText("") + " " + e.path("message").asText("");
            } else {
                text = body;
            }
        } catch (IOException e) {
            return "";
        }
        return text.replaceAll("\\p{Cntrl}|\\s+", " ").trim();
    }

    private static URI absolute(String text, String what) {
        URI uri;
        try {
            uri = text == null ? null : new URI(text);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null
                || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
            throw BosunException.unavailable(what + " with '" + oneLine(text) + "', which is no http(s) URL with a host");
        }
        return uri;
    }

    private static String oneLine(String text) {
        String s = text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
