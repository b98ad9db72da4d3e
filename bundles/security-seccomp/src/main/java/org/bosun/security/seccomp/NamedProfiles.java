package org.bosun.security.seccomp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Named seccomp profiles, what Kubernetes calls localhost profiles: {@code seccomp.d/NAME.json} in
 * the local configuration ({@code /etc/bosun}), else in the system configuration
 * ({@code /usr/lib/bosun}), in the OCI runtime-spec format or Docker's (with {@code archMap},
 * {@code name} instead of {@code names}, and {@code includes}/{@code excludes} conditions). A profile
 * is turned into an OCI {@code linux.seccomp} object for this host: the x86_64 architectures only,
 * the rules whose conditions hold for the app's capabilities, the names x86_64 has.
 */
final class NamedProfiles {
    static final String DIR = "seccomp.d";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private NamedProfiles() {
    }

    /** The file of profile {@code name}, local configuration first. */
    static Path find(RuntimePaths paths, String name, String where) {
        if (!NAME.matcher(name).matches()) {
            throw BosunException.invalid(where + ": '" + name + "' is not a profile name (letters, digits, '.', '_', '-')");
        }
        ConfigFolder folder = ConfigFolder.of(paths, DIR);
        return folder.find(name + ".json").orElseThrow(() -> BosunException.notFound(where + ": there is no seccomp"
                + " profile '" + name + "'; put it in " + folder.local().resolve(name + ".json") + " or "
                + folder.system().resolve(name + ".json")));
    }

    /** The profile in {@code file}, as an OCI {@code linux.seccomp} object for this host. */
    static String load(Path file, Set<String> capabilities, SyscallTable table, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw BosunException.invalid(where + ": seccomp profile " + file + " is not JSON: " + firstLine(e));
        }
        String in = where + ": seccomp profile " + file;
        if (root == null || !root.isObject() || !root.path("defaultAction").asText("").startsWith("SCMP_ACT_")) {
            throw BosunException.invalid(in + " has no defaultAction such as SCMP_ACT_ERRNO");
        }
        ObjectNode profile = JSON.createObjectNode();
        profile.put("defaultAction", root.get("defaultAction").asText());
        copyIfPresent(root, profile, "defaultErrnoRet");
        ArrayNode arches = profile.putArray("architectures");
        SeccompSet.ARCHITECTURES.forEach(arches::add);
        ArrayNode rules = profile.putArray("syscalls");
        JsonNode syscalls = root.path("syscalls");
        if (!syscalls.isMissingNode() && !syscalls.isArray()) {
            throw BosunException.invalid(in + ": \"syscalls\" is not a list");
        }
        for (JsonNode rule : syscalls) {
            if (!applies(rule, capabilities)) {
                continue;
            }
            if (!rule.path("action").asText("").startsWith("SCMP_ACT_")) {
                throw BosunException.invalid(in + ": the rule " + rule + " has no action such as SCMP_ACT_ALLOW");
            }
            ObjectNode out = JSON.createObjectNode();
            ArrayNode names = out.putArray("names");
            JsonNode given = rule.has("names") ? rule.get("names") : rule.path("name");
            if (given.isTextual() && table.knows(given.asText())) {
                names.add(given.asText());
            } else if (given.isArray()) {
                given.forEach(n -> {
                    if (table.knows(n.asText())) {
                        names.add(n.asText());
                    }
                });
            }
            if (names.isEmpty()) {
                continue; // calls of other architectures only
            }
            out.put("action", rule.get("action").asText());
            copyIfPresent(rule, out, "errnoRet");
            copyIfPresent(rule, out, "args");
            rules.add(out);
        }
        return profile.toString();
    }

    /** Docker's conditions: a rule for capabilities the app lacks, or for other architectures, is left out. */
    private static boolean applies(JsonNode rule, Set<String> capabilities) {
        for (Iterator<JsonNode> it = rule.path("includes").path("caps").elements(); it.hasNext();) {
            if (!capabilities.contains(it.next().asText())) {
                return false;
            }
        }
        for (Iterator<JsonNode> it = rule.path("excludes").path("caps").elements(); it.hasNext();) {
            if (capabilities.contains(it.next().asText())) {
                return false;
            }
        }
        JsonNode arches = rule.path("includes").path("arches");
        if (arches.isArray() && !arches.isEmpty()) {
            boolean ours = false;
            for (JsonNode a : arches) {
                ours |= a.asText().equals("amd64") || a.asText().equals("x86_64") || a.asText().equals("x32");
            }
            return ours;
        }
        return true;
    }

    private static void copyIfPresent(JsonNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field));
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
