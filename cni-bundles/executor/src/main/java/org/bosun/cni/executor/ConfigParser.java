package org.bosun.cni.executor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.cni.api.NetworkConfig;
import org.bosun.cni.api.PluginConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads network configurations and lists (SPEC.md, section 1) and validates them as a whole, so
 * that a bad file is refused before any plugin runs.
 */
final class ConfigParser {
    /** SPEC.md: a network name starts with a letter or digit, then letters, digits, {@code _ . -}. */
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    private ConfigParser() {
    }

    static NetworkConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid(source, "is not valid JSON: " + Json.describe(e));
        }
        if (root == null || !root.isObject()) {
            throw invalid(source, "is not a JSON object");
        }
        ObjectNode list = root.has("plugins") ? (ObjectNode) root.deepCopy() : wrap((ObjectNode) root, source);
        String name = requiredText(list, "name", source);
        if (!NAME.matcher(name).matches()) {
            throw invalid(source, "has network name '" + name
                    + "'; a name starts with a letter or digit, followed by letters, digits, '_', '.' or '-'");
        }
        String version = version(list, source);
        boolean disableCheck = disableCheck(list.get("disableCheck"), source);
        JsonNode pluginsNode = list.get("plugins");
        if (!(pluginsNode instanceof ArrayNode plugins) || plugins.isEmpty()) {
            throw invalid(source, "has no plugins; \"plugins\" must be a non-empty list of plugin configurations");
        }
        if (plugins.size() > 1 && CniVersions.format(version) == CniVersions.Format.LEGACY) {
            throw invalid(source, "chains " + plugins.size() + " plugins with cniVersion " + version
                    + "; chaining needs cniVersion 0.3.0 or later, e.g. \"cniVersion\": \"1.0.0\"");
        }
        List<PluginConfig> parsed = new ArrayList<>();
        for (int i = 0; i < plugins.size(); i++) {
            parsed.add(plugin(plugins.get(i), i, source));
        }
        list.put("cniVersion", version);
        return new NetworkConfig(name, version, disableCheck, parsed, list.toString(), source);
    }

    /** A single plugin's configuration (a {@code .conf}) becomes a list of one, as in libcni. */
    private static ObjectNode wrap(ObjectNode conf, String source) {
        if (!conf.has("type")) {
            throw invalid(source, "has neither \"plugins\" (a configuration list) nor \"type\" (one plugin's configuration)");
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        if (conf.has("cniVersion")) {
            list.set("cniVersion", conf.get("cniVersion"));
        }
        if (conf.has("name")) {
            list.set("name", conf.get("name"));
        }
        list.putArray("plugins").add(conf.deepCopy());
        return list;
    }

    /** {@code cniVersion}, or the highest supported of CNI 1.1's {@code cniVersions}. */
    private static String version(ObjectNode list, String source) {
        JsonNode versions = list.get("cniVersions");
        if (versions instanceof ArrayNode array && !array.isEmpty()) {
            String best = null;
            for (JsonNode v : array) {
                if (v.isTextual() && CniVersions.isSupported(v.asText())
                        && (best == null || CniVersions.compare(v.asText(), best) > 0)) {
                    best = v.asText();
                }
            }
            if (best != null) {
                return best;
            }
        }
        JsonNode v = list.get("cniVersion");
        if (v == null || v.isNull()) {
            throw invalid(source, "has no cniVersion; add \"cniVersion\": \"1.0.0\"");
        }
        if (!v.isTextual() || !CniVersions.isSupported(v.asText())) {
            throw invalid(source, "has cniVersion " + v + ", which bosun does not speak; use one of "
                    + String.join(", ", CniVersions.SUPPORTED));
        }
        return v.asText();
    }

    private static boolean disableCheck(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isTextual() && (node.asText().equals("true") || node.asText().equals("false"))) {
            return node.asText().equals("true");
        }
        throw invalid(source, "has disableCheck " + node + "; write true or false");
    }

    private static PluginConfig plugin(JsonNode node, int index, String source) {
        String where = "plugin " + (index + 1);
        if (!node.isObject()) {
            throw invalid(source, "has " + where + " that is not a JSON object");
        }
        String type = pluginType(node.get("type"), where, source);
        String ipamType = null;
        JsonNode ipam = node.get("ipam");
        if (ipam != null && !ipam.isNull()) {
            if (!ipam.isObject()) {
                throw invalid(source, "has " + where + " (" + type + ") whose \"ipam\" is not a JSON object");
            }
            if (ipam.has("type")) {
                ipamType = pluginType(ipam.get("type"), where + " (" + type + ") ipam", source);
            }
        }
        Set<String> capabilities = new LinkedHashSet<>();
        JsonNode caps = node.get("capabilities");
        if (caps != null && !caps.isNull()) {
            if (!caps.isObject()) {
                throw invalid(source, "has " + where + " (" + type + ") whose \"capabilities\" is not a JSON object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = caps.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().asBoolean(false)) {
                    capabilities.add(e.getKey());
                }
            }
        }
        return new PluginConfig(type, ipamType, capabilities, node.toString());
    }

    /** A plugin type is a file name in a plugin directory, never a path. */
    private static String pluginType(JsonNode node, String where, String source) {
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw invalid(source, "has " + where + " without a \"type\"; name the plugin binary, e.g. \"type\": \"bridge\"");
        }
        String type = node.asText();
        if (type.contains("/") || type.equals(".") || type.equals("..")) {
            throw invalid(source, "has " + where + " of type '" + type
                    + "'; a type is the name of a binary in a plugin directory, not a path");
        }
        return type;
    }

    private static String requiredText(ObjectNode node, String field, String source) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw invalid(source, "has no \"" + field + "\"; give the network a " + field);
        }
        return value.asText();
    }

    static BosunException invalid(String source, String problem) {
        return BosunException.invalid("network config " + source + " " + problem);
    }
}
