package org.bosun.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The build step that makes the distribution's {@code bundles/} from its features, run by the
 * launcher module's build (package phase) with the Maven dependencies it resolved laid out as a
 * repository. The features are the one list of what ships: this step copies exactly the bundles
 * they name, fails when a feature names a bundle the build did not resolve or the build resolves
 * one no feature names (each with the line to fix), and then resolves each feature on its own in
 * a framework (without starting anything), failing on the first requirement nothing provides.
 */
public final class DistributionBuild {
    private final Distribution dist;
    private final Path features;
    private final Path bundles;
    private final Path repository;
    private final String pom;

    /**
     * @param home the distribution being built, its {@code features/} already in place
     * @param repository the build's resolved dependencies in a Maven repository layout
     * @param pom the build file that declares them, named in messages
     */
    DistributionBuild(Path home, Path repository, String pom) {
        this.dist = new Distribution(home, null);
        this.features = dist.featuresDir();
        this.bundles = dist.bundlesDir();
        this.repository = repository;
        this.pom = pom;
    }

    /** {@code DIST_HOME REPOSITORY_DIR POM}: exit 0 when the distribution is consistent. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: DistributionBuild DIST_HOME REPOSITORY_DIR POM");
            System.exit(2);
        }
        DistributionBuild build = new DistributionBuild(Path.of(args[0]), Path.of(args[1]), args[2]);
        List<String> problems = build.run(System.out);
        for (String problem : problems) {
            System.err.println("bosun distribution: " + problem);
        }
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    /** Copies, checks and resolves; the problems found, each one line, none when all is well. */
    List<String> run(PrintStream out) throws Exception {
        Map<String, Feature> all = Feature.loadAll(features);
        Map<String, Feature.BundleEntry> named = new LinkedHashMap<>();
        for (Feature f : all.values()) {
            f.bundles.forEach(b -> named.putIfAbsent(b.id(), b));
        }
        Map<String, Path> resolved = repositoryArtifacts();
        List<String> problems = new ArrayList<>();
        for (String id : named.keySet()) {
            if (!resolved.containsKey(id)) {
                problems.add("features/" + namingFeature(all, id) + ".json names " + id + " but " + pom
                        + " has no dependency on it; add <dependency>" + dependencyXml(id) + "</dependency>");
            }
        }
        Map<String, String> byFileName = new HashMap<>();
        for (Feature.BundleEntry b : named.values()) {
            String other = byFileName.putIfAbsent(b.fileName(), b.id());
            if (other != null) {
                problems.add(other + " and " + b.id() + " would both be bundles/" + b.fileName()
                        + "; a distribution cannot ship two bundles of one artifactId and version");
            }
        }
        for (String id : resolved.keySet()) {
            if (!named.containsKey(id)) {
                problems.add(pom + " depends on " + id + " but no features/*.json names it; add it to a feature's"
                        + " bundles or remove the dependency");
            }
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        Files.createDirectories(bundles);
        for (Feature.BundleEntry b : named.values()) {
            // the jar's own time: the launcher's bundle caches stay valid while a bundle is unchanged
            Files.copy(resolved.get(b.id()), bundles.resolve(b.fileName()), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        try (Stream<Path> files = Files.list(bundles)) {
            for (Path stale : files.filter(f -> !byFileName.containsKey(f.getFileName().toString())).toList()) {
                Files.delete(stale);
            }
        }
        for (Feature f : all.values()) {
            problems.addAll(unresolved(Assembly.of(dist, f, List.of())));
        }
        if (problems.isEmpty()) {
            out.println("bosun distribution: " + named.size() + " bundles in " + bundles + "; features "
                    + all.keySet() + " each resolve");
        }
        return problems;
    }

    /** Each artifact of the repository layout, {@code g/r/o/u/p/artifact/version/artifact-version.jar}, by g:a:v. */
    private Map<String, Path> repositoryArtifacts() throws IOException {
        Map<String, Path> found = new LinkedHashMap<>();
        if (!Files.isDirectory(repository)) {
            return found;
        }
        try (Stream<Path> walk = Files.walk(repository)) {
            for (Path jar : walk.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                Path relative = repository.relativize(jar);
                int n = relative.getNameCount();
                if (n < 4) {
                    continue;
                }
                String version = relative.getName(n - 2).toString();
                String artifact = relative.getName(n - 3).toString();
                String group = relative.subpath(0, n - 3).toString().replace('/', '.');
                found.put(group + ":" + artifact + ":" + version, jar);
            }
        }
        return found;
    }

    /** The feature that lists {@code id} itself: of those that have it, the one with the fewest bundles. */
    private static String namingFeature(Map<String, Feature> all, String id) {
        return all.values().stream().filter(f -> f.bundles.stream().anyMatch(b -> b.id().equals(id)))
                .min(Comparator.comparingInt(f -> f.bundles.size())).map(f -> f.name).orElse("?");
    }

    private static String dependencyXml(String id) {
        String[] gav = id.split(":");
        return "<groupId>" + gav[0] + "</groupId><artifactId>" + gav[1] + "</artifactId><version>"
                + gav[gav.length - 1] + "</version><scope>runtime</scope>";
    }

    /**
     * Installs the assembly's bundles in a throw-away framework and resolves them; for each that
     * does not resolve, the framework's own account of the missing requirement. Nothing starts:
     * only a bundle that cannot resolve is asked to, and that fails before its activator runs.
     */
    private static List<String> unresolved(Assembly assembly) throws Exception {
        Path storage = Files.createTempDirectory("bosun-resolve-");
        Map<String, String> props = new HashMap<>(assembly.frameworkProperties());
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, String.join(",", assembly.systemPackages()));
        props.put("felix.log.level", "0");
        Framework framework = new FrameworkFactory().newFramework(props);
        List<String> problems = new ArrayList<>();
        try {
            framework.start();
            BundleContext context = framework.getBundleContext();
            List<Bundle> installed = new ArrayList<>();
            for (Assembly.Bundle b : assembly.bundles()) {
                // reference: reads each jar in place instead of copying it into the cache
                installed.add(context.installBundle("reference:" + b.file().toUri()));
            }
            framework.adapt(FrameworkWiring.class).resolveBundles(installed);
            TreeSet<String> reasons = new TreeSet<>();
            for (Bundle bundle : installed) {
                boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
                if (bundle.getState() == Bundle.INSTALLED && !fragment) {
                    try {
                        bundle.start(Bundle.START_TRANSIENT);
                        reasons.add(bundle.getSymbolicName() + " did not resolve, for no reason the framework gives");
                    } catch (BundleException e) {
                        reasons.add(e.getMessage());
                    }
                }
            }
            for (String reason : reasons) {
                problems.add("feature " + assembly.featureName() + " does not resolve: " + reason
                        + "; add the bundle that provides it to the feature");
            }
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
            EmbeddedPlatform.deleteTree(storage);
        }
        return problems;
    }
}
