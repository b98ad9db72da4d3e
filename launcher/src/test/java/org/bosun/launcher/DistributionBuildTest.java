package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The distribution's bundles come from the features alone: a bundle the build lacks, a dependency
 * no feature names and a feature whose bundles do not resolve each fail the build, said in one
 * line. The bundles are real (manifest-only) jars, resolved by the real framework.
 */
public class DistributionBuildTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path home;
    private Path repository;

    @Before
    public void aDistributionWithTwoFeatures() throws IOException {
        home = temp.newFolder("bosun").toPath();
        repository = temp.newFolder("repository").toPath();
        bundle("org.example", "api", "1.0", "Export-Package", "org.example.api;version=1.0");
        bundle("org.example", "impl", "1.0", "Import-Package", "org.example.api;version=\"[1,2)\"");
        feature("small", "org.example:api:1.0", null);
        feature("large", "org.example:impl:1.0", "small");
    }

    @Test
    public void copiesExactlyTheFeaturesBundlesAndRemovesWhatNoLongerShips() throws Exception {
        Files.createDirectories(home.resolve("bundles"));
        Files.writeString(home.resolve("bundles/dropped-0.9.jar"), "from an earlier build");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(List.of(), build(new PrintStream(out)));
        assertEquals(List.of("api-1.0.jar", "impl-1.0.jar"), files(home.resolve("bundles")));
        assertTrue(out.toString(), out.toString().contains("2 bundles"));
    }

    @Test
    public void aBundleAFeatureNamesThatTheBuildLacksFailsWithTheDependencyToAdd() throws Exception {
        feature("extra", "org.example:missing:2.0", "large");
        List<String> problems = build(silent());
        assertEquals(problems.toString(), 1, problems.size());
        assertEquals("features/extra.json names org.example:missing:2.0 but launcher/pom.xml has no dependency on it;"
                + " add <dependency><groupId>org.example</groupId><artifactId>missing</artifactId>"
                + "<version>2.0</version><scope>runtime</scope></dependency>", problems.get(0));
        assertFalse("nothing copied", Files.exists(home.resolve("bundles")));
    }

    @Test
    public void aDependencyNoFeatureNamesFailsTheBuild() throws Exception {
        bundle("org.example", "stray", "3.1", "Export-Package", "org.example.stray");
        List<String> problems = build(silent());
        assertEquals(List.of("launcher/pom.xml depends on org.example:stray:3.1 but no features/*.json names it;"
                + " add it to a feature's bundles or remove the dependency"), problems);
    }

    @Test
    public void twoBundlesThatWouldShareAFileNameFailTheBuild() throws Exception {
        bundle("org.other", "api", "1.0", "Export-Package", "org.other.api");
        feature("other", "org.other:api:1.0", "large");
        List<String> problems = build(silent());
        assertEquals(List.of("org.example:api:1.0 and org.other:api:1.0 would both be bundles/api-1.0.jar; a"
                + " distribution cannot ship two bundles of one artifactId and version"), problems);
    }

    @Test
    public void aFeatureThatDoesNotResolveOnItsOwnFailsNamingTheMissingRequirement() throws Exception {
        // "alone" has impl without the api it imports: the large feature resolves, this one cannot.
        feature("alone", "org.example:impl:1.0", null);
        List<String> problems = build(silent());
        assertEquals(problems.toString(), 1, problems.size());
        String problem = problems.get(0);
        assertTrue(problem, problem.startsWith("feature alone does not resolve: "));
        assertTrue(problem, problem.contains("org.example.api"));
        assertTrue(problem, problem.endsWith("; add the bundle that provides it to the feature"));
    }

    private List<String> build(PrintStream out) throws Exception {
        return new DistributionBuild(home, repository, "launcher/pom.xml").run(out);
    }

    private static PrintStream silent() {
        return new PrintStream(OutputStream.nullOutputStream());
    }

    /** A feature file with one bundle, serving the command of its own name. */
    private void feature(String name, String bundleId, String parent) throws IOException {
        Files.createDirectories(home.resolve("features"));
        String extension = "{\"commands\":[\"" + name + "\"]" + (parent != null ? ",\"extends\":\"" + parent + "\"" : "")
                + "}";
        Files.writeString(home.resolve("features/" + name + ".json"), "{\"id\":\"org.example:" + name + ":1.0\","
                + "\"bundles\":[{\"id\":\"" + bundleId + "\",\"start-order\":1}],"
                + "\"extensions\":{\"bosun-launch\":{\"json\":" + extension + "}}}");
    }

    private void bundle(String group, String artifact, String version, String header, String value)
            throws IOException {
        Path dir = Files.createDirectories(repository.resolve(group.replace('.', '/')).resolve(artifact).resolve(version));
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", group + "." + artifact);
        main.putValue("Bundle-Version", version);
        main.putValue(header, value);
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(dir.resolve(artifact + "-" + version + ".jar")),
                manifest)) {
            jar.flush();
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
