package org.bosun.image.appc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Parses and checks an appc image manifest (appc spec 0.8.11, "ImageManifest"). */
final class AciManifest {
    private static final Pattern AC_IDENTIFIER = Pattern.compile("[a-z0-9]+([-._~/][a-z0-9]+)*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private AciManifest() {
    }

    static ImageManifest parse(byte[] bytes, AciArchive archive) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw archive.refuse("has a manifest that is not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw archive.refuse("has a manifest that is not a JSON object");
        }
        if (!"ImageManifest".equals(root.path("acKind").asText())) {
            throw archive.refuse("has a manifest of acKind '" + root.path("acKind").asText() + "', not ImageManifest");
        }
        String name = root.path("name").asText("");
        if (!AC_IDENTIFIER.matcher(name).matches()) {
            throw archive.refuse("has the invalid name '" + name
                    + "'; an ACIdentifier has lower case letters, digits and -._~/");
        }
        Map<String, String> labels = nameValues(root.path("labels"), "label", archive);
        checkPlatform(labels, archive);
        JsonNode app = root.path("app");
        List<String> exec = new ArrayList<>();
        app.path("exec").forEach(n -> exec.add(n.asText()));
        String user = app.hasNonNull("user") ? app.path("user").asText() : null;
        String group = app.hasNonNull("group") ? app.path("group").asText() : null;
        if (app.isObject() && (user == null || group == null)) {
            throw archive.refuse("has an app without user or group; the appc spec requires both");
        }
        String workingDirectory = app.hasNonNull("workingDirectory") ? app.path("workingDirectory").asText() : null;
        Map<String, String> env = nameValues(app.path("environment"), "environment variable", archive);
        Map<String, String> annotations = nameValues(root.path("annotations"), "annotation", archive);
        return new ImageManifest(name, labels, exec, user, group, workingDirectory, env, annotations,
                ports(app.path("ports"), archive), mountPoints(app.path("mountPoints"), archive),
                eventHandlers(app.path("eventHandlers"), archive), supplementaryGids(app.path("supplementaryGIDs"), archive),
                isolators(app.path("isolators"), archive));
    }

    /**
     * An appc dependency: an image rendered below this one.
     *
     * @param imageName the dependency's name
     * @param imageId its id ({@code sha512-...}), or null when any image of that name and labels will do
     * @param labels the labels it must carry (and that discovery asks for)
     */
    record Dependency(String imageName, String imageId, Map<String, String> labels) {
        Dependency {
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }

        @Override
        public String toString() {
            return imageName + (imageId == null ? "" : " (" + imageId + ")");
        }
    }

    /** The manifest's {@code dependencies}, in order. */
    static List<Dependency> dependencies(byte[] bytes, AciArchive archive) {
        List<Dependency> dependencies = new ArrayList<>();
        for (JsonNode d : list(tree(bytes, archive).path("dependencies"), "dependencies", archive)) {
            String name = d.path("imageName").asText("");
            if (!AC_IDENTIFIER.matcher(name).matches()) {
                throw archive.refuse("has the dependency " + d + " without a valid imageName");
            }
            String id = d.hasNonNull("imageID") ? d.path("imageID").asText() : null;
            if (id != null && !id.matches("sha512-[0-9a-f]{32,128}")) {
                throw archive.refuse("has the dependency " + name + " with the imageID '" + id
                        + "'; an imageID is sha512- and hex digits");
            }
            dependencies.add(new Dependency(name, id, nameValues(d.path("labels"), "dependency label", archive)));
        }
        return dependencies;
    }

    /** The manifest's {@code pathWhitelist}: absolute paths; empty when every path stays. */
    static List<String> pathWhitelist(byte[] bytes, AciArchive archive) {
        List<String> paths = new ArrayList<>();
        for (JsonNode p : list(tree(bytes, archive).path("pathWhitelist"), "pathWhitelist", archive)) {
            String path = p.asText("");
            if (!path.startsWith("/") || path.contains("\0")) {
                throw archive.refuse("has the pathWhitelist entry '" + path + "'; entries are absolute paths");
            }
            paths.add(path);
        }
        return paths;
    }

    private static JsonNode tree(byte[] bytes, AciArchive archive) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw archive.refuse("has a manifest that is not JSON: " + e.getMessage());
        }
    }

    /** appc {@code app.isolators}: each a name and a value, kept as JSON for the module that reads it. */
    private static List<ImageManifest.Isolator> isolators(JsonNode array, AciArchive archive) {
        List<ImageManifest.Isolator> isolators = new ArrayList<>();
        for (JsonNode i : list(array, "isolators", archive)) {
            String name = i.path("name").asText("");
            if (name.isEmpty() || !i.has("value")) {
                throw archive.refuse("has an isolator without a name or a value: " + i);
            }
            isolators.add(new ImageManifest.Isolator(name, i.get("value").toString()));
        }
        return isolators;
    }

    private static List<ImageManifest.Port> ports(JsonNode array, AciArchive archive) {
        List<ImageManifest.Port> ports = new ArrayList<>();
        for (JsonNode p : list(array, "ports", archive)) {
            String name = p.path("name").asText("");
            String protocol = p.path("protocol").asText("");
            int port = p.path("port").asInt(-1);
            if (name.isEmpty() || !(protocol.equals("tcp") || protocol.equals("udp")) || port < 1 || port > 65535) {
                throw archive.refuse("has the port " + p + "; a port needs a name, protocol tcp or udp, and a port"
                        + " number from 1 to 65535");
            }
            ports.add(new ImageManifest.Port(name, protocol, port));
        }
        return ports;
    }

    private static List<ImageManifest.MountPoint> mountPoints(JsonNode array, AciArchive archive) {
        List<ImageManifest.MountPoint> mounts = new ArrayList<>();
        for (JsonNode m : list(array, "mountPoints", archive)) {
            String name = m.path("name").asText("");
            String path = m.path("path").asText("");
            if (name.isEmpty() || !path.startsWith("/")) {
                throw archive.refuse("has the mount point " + m + "; a mount point needs a name and an absolute path");
            }
            mounts.add(new ImageManifest.MountPoint(name, path, m.path("readOnly").asBoolean(false)));
        }
        return mounts;
    }

    private static Map<String, List<String>> eventHandlers(JsonNode array, AciArchive archive) {
        Map<String, List<String>> handlers = new LinkedHashMap<>();
        for (JsonNode h : list(array, "eventHandlers", archive)) {
            String name = h.path("name").asText("");
            List<String> exec = new ArrayList<>();
            h.path("exec").forEach(n -> exec.add(n.asText()));
            if (!(name.equals("pre-start") || name.equals("post-stop")) || exec.isEmpty()) {
                throw archive.refuse("has the event handler " + h + "; a handler is pre-start or post-stop with an exec");
            }
            if (handlers.put(name, exec) != null) {
                throw archive.refuse("has two " + name + " event handlers; the appc spec allows one of each");
            }
        }
        return handlers;
    }

    private static List<Integer> supplementaryGids(JsonNode array, AciArchive archive) {
        List<Integer> gids = new ArrayList<>();
        for (JsonNode g : list(array, "supplementaryGIDs", archive)) {
            if (!g.canConvertToInt() || g.asInt() < 0) {
                throw archive.refuse("has the supplementary gid " + g + ", which is not a group number");
            }
            gids.add(g.asInt());
        }
        return gids;
    }

    private static JsonNode list(JsonNode array, String what, AciArchive archive) {
        if (array.isMissingNode() || array.isNull()) {
            return JSON.createArrayNode();
        }
        if (!array.isArray()) {
            throw archive.refuse("has app " + what + " that are not a list");
        }
        return array;
    }

    private static Map<String, String> nameValues(JsonNode array, String what, AciArchive archive) {
        Map<String, String> result = new LinkedHashMap<>();
        if (array.isMissingNode() || array.isNull()) {
            return result;
        }
        if (!array.isArray()) {
            throw archive.refuse("has " + what + "s that are not a list of {name, value}");
        }
        for (JsonNode nv : array) {
            String n = nv.path("name").asText("");
            if (n.isEmpty()) {
                throw archive.refuse("has a " + what + " without a name");
            }
            result.put(n, nv.path("value").asText(""));
        }
        return result;
    }

    private static void checkPlatform(Map<String, String> labels, AciArchive archive) {
        String os = labels.get("os");
        if (os != null && !os.equals("linux")) {
            throw archive.refuse("is for os '" + os + "'; bosun runs linux images");
        }
        String arch = labels.get("arch");
        String hostArch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "aarch64";
            default -> System.getProperty("os.arch");
        };
        if (arch != null && !arch.equals(hostArch)) {
            throw archive.refuse("is for arch '" + arch + "', this host is " + hostArch);
        }
    }
}
