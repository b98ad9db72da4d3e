package org.bosun.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.pod.PodOptions.VolumeSpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * rkt's {@code --pod-manifest=FILE}: an appc pod manifest that names the pod's apps (each image by
 * id, or by name and labels), their overrides of the image's app, their mounts and the pod's
 * volumes and annotations, in place of the images and flags of the command line. A field bosun
 * does not apply from the file (isolators, ports) is refused by name rather than ignored.
 */
final class PodManifestFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> POD_FIELDS = Set.of("acKind", "acVersion", "apps", "volumes", "annotations",
            "userAnnotations", "userLabels", "isolators", "ports");
    private static final Set<String> APP_FIELDS = Set.of("name", "image", "app", "mounts", "readOnlyRootFS",
            "annotations");
    private static final Set<String> OVERRIDES = Set.of("exec", "user", "group", "workingDirectory", "environment",
            "supplementaryGIDs");

    final List<AppRequest> apps = new ArrayList<>();
    final List<VolumeSpec> volumes = new ArrayList<>();
    final Map<String, String> annotations = new LinkedHashMap<>();
    final Map<String, String> userAnnotations = new LinkedHashMap<>();
    final Map<String, String> userLabels = new LinkedHashMap<>();
    private final Path file;

    private PodManifestFile(Path file) {
        this.file = file;
    }

    static PodManifestFile read(Path file) {
        PodManifestFile result = new PodManifestFile(file);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw BosunException.invalid("--pod-manifest " + file + " cannot be read as JSON: "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                            : e.getMessage()));
        }
        if (root == null || !root.isObject() || !"PodManifest".equals(root.path("acKind").asText())) {
            throw result.refuse("is not an appc pod manifest (acKind PodManifest)");
        }
        result.only(root, POD_FIELDS, "");
        if (root.path("isolators").size() > 0 || root.path("ports").size() > 0) {
            throw result.refuse("has pod isolators or ports, which bosun does not take from a pod manifest;"
                    + " give ports with --port and isolators per app on the command line instead");
        }
        for (JsonNode app : root.path("apps")) {
            result.apps.add(result.app(app));
        }
        if (result.apps.isEmpty()) {
            throw result.refuse("has no apps");
        }
        for (JsonNode v : root.path("volumes")) {
            result.volumes.add(new VolumeSpec(v.path("name").asText(null), v.path("kind").asText(null),
                    v.path("source").asText(null), v.path("readOnly").asBoolean(false),
                    v.path("recursive").asBoolean(true), v.path("mode").asText(null),
                    v.hasNonNull("uid") ? v.path("uid").asInt() : null, v.hasNonNull("gid") ? v.path("gid").asInt() : null));
        }
        result.nameValues(root.path("annotations"), result.annotations);
        root.path("userAnnotations").fields().forEachRemaining(e -> result.userAnnotations.put(e.getKey(),
                e.getValue().asText()));
        root.path("userLabels").fields().forEachRemaining(e -> result.userLabels.put(e.getKey(), e.getValue().asText()));
        return result;
    }

    private AppRequest app(JsonNode app) {
        String name = app.path("name").asText(null);
        only(app, APP_FIELDS, "app " + name + ": ");
        JsonNode image = app.path("image");
        String reference = image.hasNonNull("id") ? image.path("id").asText() : image.path("name").asText(null);
        if (reference == null || reference.isEmpty()) {
            throw refuse("app " + name + " names no image (image.id or image.name)");
        }
        if (!image.hasNonNull("id")) {
            Map<String, String> labels = new LinkedHashMap<>();
            nameValues(image.path("labels"), labels);
            StringBuilder sb = new StringBuilder(reference);
            labels.forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
            reference = sb.toString();
        }
        JsonNode overrides = app.path("app");
        only(overrides, OVERRIDES, "app " + name + ": app.");
        List<String> exec = new ArrayList<>();
        overrides.path("exec").forEach(w -> exec.add(w.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        nameValues(overrides.path("environment"), env);
        List<Integer> gids = new ArrayList<>();
        overrides.path("supplementaryGIDs").forEach(g -> gids.add(g.asInt()));
        List<AppSettings.MountRequest> mounts = new ArrayList<>();
        for (JsonNode m : app.path("mounts")) {
            mounts.add(new AppSettings.MountRequest(m.path("volume").asText(null), m.path("path").asText(null)));
        }
        AppSettings settings = new AppSettings(gids, mounts, app.path("readOnlyRootFS").asBoolean(false), null, null,
                null, null, null, null);
        return new AppRequest(reference, name, exec, null, env, overrides.path("user").asText(null),
                overrides.path("group").asText(null), overrides.path("workingDirectory").asText(null), settings);
    }

    /** appc's lists of {@code {"name": ..., "value": ...}}. */
    private void nameValues(JsonNode list, Map<String, String> into) {
        for (JsonNode nv : list) {
            if (!nv.hasNonNull("name")) {
                throw refuse("has the entry " + nv + " without a name");
            }
            into.put(nv.path("name").asText(), nv.path("value").asText(""));
        }
    }

    private void only(JsonNode node, Set<String> known, String where) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String field = names.next();
            if (!known.contains(field)) {
                throw refuse(where + "has the field '" + field + "', which bosun does not take from a pod manifest;"
                        + " give it on the command line instead");
            }
        }
    }

    private BosunException refuse(String what) {
        return BosunException.invalid("--pod-manifest " + file + " " + what);
    }
}
