package org.bosun.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a framework boots for one feature of a distribution: the bundle files of {@code bundles/}
 * with their start levels, the packages the system bundle exports from the launcher's class path,
 * and the framework properties (the feature's, the feature's name, and the components'
 * configurations). The launcher boots it in-process or as the agent; the integration tests boot
 * the very same with pax-exam, so they test the platform that ships.
 */
public final class Assembly {
    /**
     * The command protocol comes from the launcher's class path, so both sides share its classes;
     * jnr and jffi use sun.misc.Unsafe; the agent reads peer credentials through jdk.net; the
     * metadata service is the JDK's HTTP server.
     */
    static final List<String> SYSTEM_PACKAGES = List.of("org.bosun.command.protocol;version=1.2.0", "sun.misc", "jdk.net",
            "com.sun.net.httpserver");

    /** The framework property naming the distribution's {@code bundles/} folder (the CLI reads it). */
    static final String BUNDLES_DIR_PROPERTY = "bosun.bundles.dir";

    /** One bundle: its Maven coordinates as the feature names it, its file, its start level. */
    public record Bundle(String id, Path file, int startLevel) {
    }

    final Feature feature;
    private final List<Bundle> bundles;
    private final Map<String, String> frameworkProperties;

    private Assembly(Feature feature, List<Bundle> bundles, Map<String, String> frameworkProperties) {
        this.feature = feature;
        this.bundles = bundles;
        this.frameworkProperties = frameworkProperties;
    }

    /**
     * What {@code bosun COMMAND} boots in-process from the distribution in {@code home}: the
     * smallest feature that serves the command, with the configurations of its feature file and
     * then of each of {@code configurationFolders} (missing ones are skipped).
     */
    public static Assembly forCommand(Path home, String command, List<Path> configurationFolders) throws IOException {
        return forCommand(new Distribution(home, null), command, configurationFolders);
    }

    static Assembly forCommand(Distribution dist, String command, List<Path> configurationFolders) throws IOException {
        return of(dist, Feature.forCommand(Feature.loadAll(dist.featuresDir()), command), configurationFolders);
    }

    /** {@link #forCommand} with further features of the distribution, by name ({@code agent --feature=api}). */
    static Assembly forCommand(Distribution dist, String command, List<String> extraFeatures,
            List<Path> configurationFolders) throws IOException {
        java.util.Map<String, Feature> all = Feature.loadAll(dist.featuresDir());
        Feature feature = Feature.forCommand(all, command);
        for (String name : extraFeatures) {
            Feature extra = all.get(name);
            if (extra == null) {
                throw new IllegalArgumentException("no feature '" + name + "' in " + dist.featuresDir() + "; the"
                        + " features are " + String.join(", ", all.keySet()));
            }
            feature = Feature.with(feature, extra);
        }
        return of(dist, feature, configurationFolders);
    }

    static Assembly of(Distribution dist, Feature feature, List<Path> configurationFolders) throws IOException {
        Path bundlesDir = dist.bundlesDir();
        List<Bundle> bundles = new ArrayList<>();
        for (Feature.BundleEntry entry : feature.bundles) {
            Path file = bundlesDir.resolve(entry.fileName());
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("feature " + feature.name + " needs " + entry.id() + " but " + file
                        + " is missing; reinstall bosun (scripts/install)");
            }
            bundles.add(new Bundle(entry.id(), file, entry.startOrder()));
        }
        Configurations configurations = new Configurations().add(feature.configurations);
        for (Path folder : configurationFolders) {
            configurations.addFolder(folder);
        }
        Map<String, String> props = new LinkedHashMap<>(feature.frameworkProperties);
        props.put("bosun.features", feature.name);
        // Where the built-in jars are: 'bosun bundle rollback' of an updated built-in goes back to its jar.
        props.put(BUNDLES_DIR_PROPERTY, bundlesDir.toString());
        if (!configurations.isEmpty()) {
            props.put(Configurations.FRAMEWORK_PROPERTY, configurations.toJson());
        }
        return new Assembly(feature, List.copyOf(bundles), Collections.unmodifiableMap(props));
    }

    /**
     * This assembly with the extension bundles of {@code dataDir} ({@code bosun bundle install})
     * after the feature's, at the feature's highest start level, the updates of built-in bundles
     * ({@code bosun bundle update} of an engine, ...) in place of the jars they replace, at their
     * start levels (an update whose built-in this feature does not have is not installed: it is
     * that built-in's only), and the framework property that tells the CLI whose extensions these are.
     */
    public Assembly withExtensions(Path dataDir) {
        List<Bundle> all = new ArrayList<>(bundles);
        int level = startLevel();
        for (Extensions.Extension e : Extensions.jars(dataDir)) {
            if (e.replaces() == null) {
                all.add(new Bundle("extension:" + e.jar().getFileName(), e.jar(), level));
                continue;
            }
            for (int i = 0; i < all.size(); i++) {
                Bundle builtIn = all.get(i);
                if (builtIn.file().getFileName().toString().equals(e.replaces())) {
                    all.set(i, new Bundle("update:" + e.jar().getFileName(), e.jar(), builtIn.startLevel()));
                }
            }
        }
        Map<String, String> props = new LinkedHashMap<>(frameworkProperties);
        props.put(Extensions.DIR_PROPERTY, dataDir.toString());
        return new Assembly(feature, List.copyOf(all), Collections.unmodifiableMap(props));
    }

    public String featureName() {
        return feature.name;
    }

    /** In install order: the feature's parents' bundles first. */
    public List<Bundle> bundles() {
        return bundles;
    }

    /** The packages of the launcher's class path that the system bundle exports. */
    public List<String> systemPackages() {
        return SYSTEM_PACKAGES;
    }

    public Map<String, String> frameworkProperties() {
        return frameworkProperties;
    }

    /** The start level the framework goes to: every bundle's. */
    public int startLevel() {
        return bundles.stream().mapToInt(Bundle::startLevel).max().orElse(1);
    }
}
