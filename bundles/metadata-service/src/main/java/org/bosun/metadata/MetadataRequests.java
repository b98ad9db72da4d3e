package org.bosun.metadata;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * The appc metadata service's endpoints (the appc spec, "App Container Metadata Service"), apart
 * from any HTTP server: a request in, a {@link Reply} out. Every path starts with the pod's token
 * ({@code AC_METADATA_URL} is {@code http://HOST:PORT/TOKEN}), which names the pod; a request must
 * also come from one of the pod's addresses to the address in its URL, so a token that leaked
 * elsewhere is worth nothing. A pod sees only its own data: an unknown token, or one from the
 * wrong place, is 403; another pod's app name is 404, as a name the pod does not have.
 */
final class MetadataRequests {
    static final String JSON_TYPE = "application/json";
    static final String TEXT_TYPE = "text/plain; charset=us-ascii";
    static final String FORM_TYPE = "application/x-www-form-urlencoded";
    static final String PREFIX = "/acMetadata/v1/";
    /** What an app may post to sign: a form is no place for more. */
    static final int MAX_BODY = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request: what the HTTP server saw. */
    record Request(String method, String path, String contentType, byte[] body, String remoteAddress,
            String localAddress) {
    }

    /** One answer. */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Reply json(byte[] body) {
            return new Reply(200, JSON_TYPE, body, Map.of());
        }

        static Reply text(String body) {
            return new Reply(200, TEXT_TYPE, body.getBytes(StandardCharsets.US_ASCII), Map.of());
        }

        static Reply error(int status, String message) {
            return new Reply(status, TEXT_TYPE, (message + "\n").getBytes(StandardCharsets.US_ASCII), Map.of());
        }

        static Reply methodNotAllowed(String allowed) {
            return new Reply(405, TEXT_TYPE, ("use " + allowed + "\n").getBytes(StandardCharsets.US_ASCII),
                    Map.of("Allow", allowed));
        }
    }

    private final PodRegistrations pods;
    /** The image's manifest as stored, by data directory and image id; empty when the store has none. */
    private final BiFunction<Path, String, Optional<String>> imageManifests;

    MetadataRequests(PodRegistrations pods, BiFunction<Path, String, Optional<String>> imageManifests) {
        this.pods = pods;
        this.imageManifests = imageManifests;
    }

    Reply handle(Request request) {
        String path = request.path();
        int slash = path.indexOf('/', 1);
        if (!path.startsWith("/") || slash < 0 || !path.startsWith(PREFIX, slash)) {
            return Reply.error(404, "not an appc metadata path: use $AC_METADATA_URL" + PREFIX + "...");
        }
        String token = path.substring(1, slash);
        Optional<PodRegistrations.Pod> found = pods.byToken(token);
        if (found.isEmpty()) {
            return Reply.error(403, "no pod has this token");
        }
        PodRegistrations.Pod pod = found.get();
        if (!pod.registration().addresses().contains(request.remoteAddress())
                || !pod.serviceHost().equals(request.localAddress())) {
            return Reply.error(403, "this pod's token is not valid from " + request.remoteAddress());
        }
        try {
            return route(pod, request, path.substring(slash + PREFIX.length()));
        } catch (IOException e) {
            return Reply.error(500, "cannot read the pod's records: " + e.getMessage());
        }
    }

    private Reply route(PodRegistrations.Pod pod, Request request, String entry) throws IOException {
        String e = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
        switch (e) {
            case "pod/annotations":
                return get(request, () -> Reply.json(JSON.writeValueAsBytes(annotations(podManifest(pod)))));
            case "pod/manifest":
                return get(request, () -> Reply.json(Files.readAllBytes(pod.podDir().resolve("pod"))));
            case "pod/uuid":
                return get(request, () -> Reply.text(pod.uuid()));
            case "pod/hmac/sign":
                return post(request, form -> sign(pod, form));
            case "pod/hmac/verify":
                return post(request, this::verify);
            default:
                break;
        }
        if (!e.startsWith("apps/")) {
            return Reply.error(404, "no such entry: " + entry);
        }
        String rest = e.substring("apps/".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return Reply.error(404, "no such entry: " + entry);
        }
        String name = rest.substring(0, slash);
        JsonNode app = app(podManifest(pod), name);
        if (app == null) {
            return Reply.error(404, "this pod has no app " + name);
        }
        String imageId = app.path("image").path("id").asText();
        switch (rest.substring(slash + 1)) {
            case "annotations":
                return get(request, () -> Reply.json(JSON.writeValueAsBytes(appAnnotations(pod, app, imageId))));
            case "image/manifest":
                return get(request, () -> imageManifest(pod, imageId).map(m -> Reply.json(
                        m.getBytes(StandardCharsets.UTF_8))).orElse(Reply.error(404, "the store has no manifest of image "
                        + imageId)));
            case "image/id":
                return get(request, () -> Reply.text(imageId));
            default:
                return Reply.error(404, "no such entry: " + entry);
        }
    }

    /** An answer that may fail reading the pod's records. */
    private interface Answer {
        Reply get() throws IOException;
    }

    private interface FormAnswer {
        Reply apply(Map<String, String> form);
    }

    private static Reply get(Request request, Answer answer) throws IOException {
        return request.method().equals("GET") ? answer.get() : Reply.methodNotAllowed("GET");
    }

    private static Reply post(Request request, FormAnswer answer) {
        if (!request.method().equals("POST")) {
            return Reply.methodNotAllowed("POST");
        }
        String type = request.contentType() == null ? "" : request.contentType().split(";")[0].trim();
        if (!type.equalsIgnoreCase(FORM_TYPE)) {
            return Reply.error(415, "post a form (" + FORM_TYPE + "), not '" + type + "'");
        }
        return answer.apply(form(new String(request.body(), StandardCharsets.US_ASCII)));
    }

    static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.putIfAbsent(key, value);
        }
        return form;
    }

    private static Reply sign(PodRegistrations.Pod pod, Map<String, String> form) {
        String content = form.get("content");
        if (content == null) {
            return Reply.error(400, "post the object to sign as the form field 'content'");
        }
        return Reply.text(Base64.getEncoder().encodeToString(hmac(pod.key(), content)));
    }

    /** The spec: 200 when the signature is the pod's of this content, 403 otherwise (also for a pod unknown). */
    private Reply verify(Map<String, String> form) {
        String content = form.get("content");
        String uuid = form.get("uuid");
        String signature = form.get("signature");
        if (content == null || uuid == null || signature == null) {
            return Reply.error(400, "post the form fields 'content', 'uuid' and 'signature'");
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return Reply.error(403, "the signature is not base64");
        }
        Optional<PodRegistrations.Pod> signer = pods.byUuid(uuid.trim());
        if (signer.isEmpty() || !java.security.MessageDigest.isEqual(hmac(signer.get().key(), content), given)) {
            return Reply.error(403, "the signature does not verify");
        }
        return new Reply(200, TEXT_TYPE, new byte[0], Map.of());
    }

    static byte[] hmac(byte[] key, String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(key, "HmacSHA512"));
            return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA512", e);
        }
    }

    private static JsonNode podManifest(PodRegistrations.Pod pod) throws IOException {
        return JSON.readTree(pod.podDir().resolve("pod").toFile());
    }

    private static JsonNode app(JsonNode manifest, String name) {
        for (JsonNode app : manifest.path("apps")) {
            if (app.path("name").asText().equals(name)) {
                return app;
            }
        }
        return null;
    }

    private static ArrayNode annotations(JsonNode manifest) {
        return manifest.path("annotations").isArray() ? (ArrayNode) manifest.path("annotations")
                : JSON.createArrayNode();
    }

    private Optional<String> imageManifest(PodRegistrations.Pod pod, String imageId) {
        return imageManifests.apply(pod.dataDir(), imageId);
    }

    /**
     * The image manifest's annotations with the pod manifest's for the app over them, in the
     * spec's form ({@code [{"name": ..., "value": ...}]}). An OCI manifest's annotations (an
     * object) count as well.
     */
    private ArrayNode appAnnotations(PodRegistrations.Pod pod, JsonNode app, String imageId) throws IOException {
        Map<String, String> merged = new LinkedHashMap<>();
        Optional<String> image = imageManifest(pod, imageId);
        if (image.isPresent()) {
            JsonNode a = JSON.readTree(image.get()).path("annotations");
            if (a.isArray()) {
                a.forEach(nv -> merged.put(nv.path("name").asText(), nv.path("value").asText()));
            } else if (a.isObject()) {
                a.fields().forEachRemaining(f -> merged.put(f.getKey(), f.getValue().asText()));
            }
        }
        app.path("annotations").forEach(nv -> merged.put(nv.path("name").asText(), nv.path("value").asText()));
        ArrayNode out = JSON.createArrayNode();
        merged.forEach((name, value) -> out.addObject().put("name", name).put("value", value));
        return out;
    }
}
