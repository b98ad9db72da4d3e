package org.bosun.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The OSGi configurations of the platform's components, keyed by PID, in the shape of a feature's
 * {@code configurations} section (OSGi Feature Service spec): {@code {"PID": {"key": value}}},
 * a value being a string, number, boolean or a list of one of them. They come from the feature
 * (its parents first) and then from the operator's {@value #FOLDER} folders, files in name
 * order; a later source overrides an earlier one key by key. The platform's configurator bundle
 * puts them into Configuration Admin before any component starts.
 */
final class Configurations {
    /** The framework property that hands them to the configurator bundle, as JSON. */
    static final String FRAMEWORK_PROPERTY = "bosun.configurations";
    /** The operator's folder under the system and the local configuration directory. */
    static final String FOLDER = "configurations.d";

    private final Map<String, Map<String, Object>> byPid = new LinkedHashMap<>();

    boolean isEmpty() {
        return byPid.isEmpty();
    }

    Map<String, Map<String, Object>> byPid() {
        return byPid;
    }

    /** Adds {@code more} over what is there, key by key. */
    Configurations add(Map<String, Map<String, Object>> more) {
        more.forEach((pid, properties) -> byPid.computeIfAbsent(pid, p -> new LinkedHashMap<>()).putAll(properties));
        return this;
    }

    /** Adds every {@code *.json} file of {@code folder} in name order; a missing folder adds nothing. */
    Configurations addFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return this;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        for (Path file : files) {
            Object doc;
            try {
                doc = Json.parse(Files.readString(file));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " is not JSON (" + e.getMessage() + "); fix or remove it");
            }
            add(section(doc, file.toString()));
        }
        return this;
    }

    String toJson() {
        return Json.write(byPid);
    }

    /**
     * Checks a configurations section ({@code where} names it in messages) and returns it typed.
     * Keys with a type suffix ({@code "port:Integer"}) are refused: Declarative Services converts
     * a JSON number or string to the type the component's configuration declares.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> section(Object section, String where) {
        if (!(section instanceof Map<?, ?> pids)) {
            throw new IllegalArgumentException(where + ": configurations must be an object keyed by PID, as"
                    + " {\"org.bosun.agent.CommandSocket\": {\"socket\": \"/run/bosun/agent.sock\"}}");
        }
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> pid : pids.entrySet()) {
            String name = (String) pid.getKey();
            if (name.isBlank() || !(pid.getValue() instanceof Map<?, ?> properties)) {
                throw new IllegalArgumentException(where + ": configuration '" + name
                        + "' must be a non-empty PID with an object of properties");
            }
            for (Map.Entry<?, ?> p : properties.entrySet()) {
                String key = (String) p.getKey();
                String problem = key.isBlank() ? "an empty key"
                        : key.contains(":") ? "a type suffix (write the value as a JSON number, string or boolean)"
                        : valueProblem(p.getValue());
                if (problem != null) {
                    throw new IllegalArgumentException(where + ": configuration " + name + ", key '" + key + "': "
                            + problem + "; a value is a string, number, boolean or a list of one of them");
                }
            }
            result.put(name, new LinkedHashMap<>((Map<String, Object>) properties));
        }
        return result;
    }

    private static String valueProblem(Object value) {
        if (value instanceof List<?> list) {
            Class<?> first = list.isEmpty() ? null : list.get(0) == null ? null : list.get(0).getClass();
            for (Object item : list) {
                if (item instanceof Map || item instanceof List || item == null) {
                    return "a list may hold only strings, numbers or booleans";
                }
                if (item.getClass() != first) {
                    return "a list may hold one type of value only";
                }
            }
            return null;
        }
        return value instanceof Map ? "an object" : value == null ? "null" : null;
    }
}
