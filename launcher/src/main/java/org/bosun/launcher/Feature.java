package org.bosun.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OSGi R8 feature (Feature Service spec, JSON) as the launcher uses it: the bundles with their
 * start order, the configurations of its components keyed by PID, plus the {@code bosun-launch}
 * extension, which names the commands the feature serves, a feature it extends and framework
 * properties. A feature that extends another has the other's bundles first, then its own, and the
 * other's configurations with its own over them, key by key.
 */
final class Feature {
    static final String EXTENSION = "bosun-launch";

    /** A bundle of the feature: Maven coordinates and the start level it gets. */
    record BundleEntry(String id, int startOrder) {
        /** The file name the distribution gives it: {@code artifactId-version.jar}. */
        String fileName() {
            String[] gav = id.split(":");
            if (gav.length < 3) {
                throw new IllegalArgumentException("bundle id '" + id + "' is not groupId:artifactId:version");
            }
            return gav[1] + "-" + gav[gav.length - 1] + ".jar";
        }
    }

    final String name;
    final String id;
    final List<BundleEntry> bundles;
    final List<String> commands;
    final Map<String, String> frameworkProperties;
    final Map<String, Map<String, Object>> configurations;
    final boolean fallback;
    final String digest;

    private Feature(String name, String id, List<BundleEntry> bundles, List<String> commands,
            Map<String, String> frameworkProperties, Map<String, Map<String, Object>> configurations,
            boolean fallback, String digest) {
        this.name = name;
        this.id = id;
        this.bundles = bundles;
        this.commands = commands;
        this.frameworkProperties = frameworkProperties;
        this.configurations = configurations;
        this.fallback = fallback;
        this.digest = digest;
    }

    /** Loads every {@code *.json} feature in {@code dir}, resolving {@code extends}. */
    static Map<String, Feature> loadAll(Path dir) throws IOException {
        Map<String, Map<String, Object>> raw = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String fileName = file.getFileName().toString();
                if (!fileName.endsWith(".json")) {
                    continue;
                }
                String text = Files.readString(file);
                @SuppressWarnings("unchecked")
                Map<String, Object> doc = (Map<String, Object>) Json.parse(text);
                String name = fileName.substring(0, fileName.length() - 5);
                raw.put(name, doc);
                texts.put(name, text);
            }
        }
        Map<String, Feature> features = new LinkedHashMap<>();
        for (String name : raw.keySet()) {
            features.put(name, resolve(name, raw, texts, 0));
        }
        return features;
    }

    @SuppressWarnings("unchecked")
    private static Feature resolve(String name, Map<String, Map<String, Object>> raw, Map<String, String> texts,
            int depth) {
        Map<String, Object> doc = raw.get(name);
        if (doc == null || depth > 8) {
            throw new IllegalArgumentException("feature '" + name + "' is missing or extends itself");
        }
        Map<String, Object> ext = Map.of();
        Object extensions = doc.get("extensions");
        if (extensions instanceof Map<?, ?> m && m.get(EXTENSION) instanceof Map<?, ?> e) {
            Object json = e.get("json");
            ext = json instanceof Map<?, ?> j ? (Map<String, Object>) j : Map.of();
        }
        List<BundleEntry> bundles = new ArrayList<>();
        Map<String, String> props = new LinkedHashMap<>();
        Configurations configurations = new Configurations();
        StringBuilder digestInput = new StringBuilder(texts.get(name));
        if (ext.get("extends") instanceof String parentName) {
            Feature parent = resolve(parentName, raw, texts, depth + 1);
            bundles.addAll(parent.bundles);
            props.putAll(parent.frameworkProperties);
            configurations.add(parent.configurations);
            digestInput.append(parent.digest);
        }
        if (doc.containsKey("configurations")) {
            configurations.add(Configurations.section(doc.get("configurations"), "feature " + name));
        }
        for (Object o : (List<Object>) doc.getOrDefault("bundles", List.of())) {
            Map<String, Object> b = (Map<String, Object>) o;
            Object order = b.get("start-order");
            bundles.add(new BundleEntry((String) b.get("id"), order == null ? 10 : ((Number) order).intValue()));
        }
        if (ext.get("framework-properties") instanceof Map<?, ?> fp) {
            fp.forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        }
        List<String> commands = new ArrayList<>();
        for (Object c : (List<Object>) ext.getOrDefault("commands", List.of())) {
            commands.add((String) c);
        }
        boolean fallback = Boolean.TRUE.equals(ext.get("fallback"));
        return new Feature(name, (String) doc.get("id"), List.copyOf(bundles), List.copyOf(commands), props,
                configurations.byPid(), fallback, Integer.toHexString(digestInput.toString().hashCode()));
    }

    /**
     * The smallest feature that serves {@code command}; the fallback feature when none names it
     * (help, unknown commands: the CLI itself then explains).
     */
    static Feature forCommand(Map<String, Feature> features, String command) {
        Feature best = null;
        Feature fallback = null;
        for (Feature f : features.values()) {
            if (f.fallback) {
                fallback = f;
            }
            if (command != null && f.commands.contains(command)
                    && (best == null || f.bundles.size() < best.bundles.size())) {
                best = f;
            }
        }
        if (best == null && fallback == null) {
            throw new IllegalStateException("no feature serves '" + command + "' and none is marked as fallback");
        }
        return best != null ? best : fallback;
    }

    /**
     * {@code base} with {@code extra}'s bundles added (those it has already are not repeated), and
     * extra's framework properties and configurations over base's: an agent with a feature it does
     * not load by default ({@code bosun agent --feature=api}).
     */
    static Feature with(Feature base, Feature extra) {
        List<BundleEntry> bundles = new ArrayList<>(base.bundles);
        for (BundleEntry b : extra.bundles) {
            if (bundles.stream().noneMatch(have -> have.id().equals(b.id()))) {
                bundles.add(b);
            }
        }
        List<String> commands = new ArrayList<>(base.commands);
        Map<String, String> props = new LinkedHashMap<>(base.frameworkProperties);
        props.putAll(extra.frameworkProperties);
        Map<String, Map<String, Object>> configurations = new LinkedHashMap<>(base.configurations);
        extra.configurations.forEach((pid, c) -> {
            Map<String, Object> merged = new LinkedHashMap<>(configurations.getOrDefault(pid, Map.of()));
            merged.putAll(c);
            configurations.put(pid, merged);
        });
        return new Feature(base.name + "+" + extra.name, base.id, List.copyOf(bundles), List.copyOf(commands), props,
                configurations, base.fallback, Integer.toHexString((base.digest + extra.digest).hashCode()));
    }
}
