package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The real feature files of the distribution, with the build's placeholders filled in as the build does. */
public class FeatureTest {
    private static final Path SOURCE = Path.of(System.getProperty("user.dir")).resolve("../features").normalize();

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private Map<String, Feature> features;

    @Before
    public void filterAndLoad() throws IOException {
        dir = temp.newFolder("features").toPath();
        try (Stream<Path> files = Files.list(SOURCE)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).collect(Collectors.toList())) {
                String text = Files.readString(f).replaceAll("\\$\\{[^}]+\\}", "9.9.9");
                Files.writeString(dir.resolve(f.getFileName()), text);
            }
        }
        features = Feature.loadAll(dir);
    }

    private static List<String> ids(Feature f) {
        return f.bundles.stream().map(Feature.BundleEntry::id).collect(Collectors.toList());
    }

    @Test
    public void loadsTheFeaturesByFileName() {
        assertEquals(List.of("agent", "api", "base", "console", "events", "metadata-service", "run"),
                List.copyOf(features.keySet()));
        assertEquals("org.bosun:bosun-feature-base:osgifeature:9.9.9", features.get("base").id);
    }

    @Test
    public void theMetadataServiceAloneIsItsOwnFeatureOverRun() {
        Feature feature = Feature.forCommand(features, "metadata-service");
        assertEquals("metadata-service", feature.name);
        assertTrue(feature.bundles.stream().anyMatch(b -> b.id().startsWith("org.bosun:bosun-metadata-service:")));
        assertTrue("the image store, for the apps' image manifests",
                feature.bundles.stream().anyMatch(b -> b.id().startsWith("org.bosun:bosun-store:")));
    }

    @Test
    public void theConsoleIsTheAgentPlusTheWebConsoleAndOnlyOnRequest() {
        assertEquals("the agent without --feature stays the agent", "agent", Feature.forCommand(features, "agent").name);
        Feature console = Feature.with(features.get("agent"), features.get("console"));
        List<String> ids = ids(console);
        assertTrue(ids.containsAll(ids(features.get("agent"))));
        assertTrue(ids.contains("org.apache.felix:org.apache.felix.webconsole:5.0.18"));
        assertTrue(ids.contains("org.bosun:bosun-console:9.9.9"));
        assertEquals("127.0.0.1", console.configurations.get("org.apache.felix.http").get("org.apache.felix.http.host"));
        assertFalse("no password in the feature: the operator sets it",
                console.configurations.get("org.apache.felix.webconsole.internal.servlet.OsgiManager").containsKey("password"));
        assertEquals("the console repeats none of the agent's bundles", ids(console).size(),
                ids(console).stream().distinct().count());
    }

    @Test
    public void theApiServiceIsItsOwnFeatureAndAnAgentAddsItWithoutRepeatingABundle() {
        Feature api = Feature.forCommand(features, "api-service");
        assertEquals("api", api.name);
        assertTrue(ids(api).stream().anyMatch(id -> id.startsWith("org.bosun:bosun-api-service:")));
        assertTrue("the events feed", ids(api).stream().anyMatch(id -> id.startsWith("org.bosun:bosun-events:")));
        Feature agent = features.get("agent");
        assertFalse("not in the agent by default", ids(agent).stream()
                .anyMatch(id -> id.startsWith("org.bosun:bosun-api-service:")));
        Feature both = Feature.with(agent, api);
        assertEquals("agent+api", both.name);
        assertEquals(ids(agent), ids(both).subList(0, agent.bundles.size()));
        assertTrue(ids(both).stream().anyMatch(id -> id.startsWith("org.bosun:bosun-api-service:")));
        assertEquals(ids(both).size(), ids(both).stream().distinct().count());
        assertEquals(agent.commands, both.commands);
    }

    @Test
    public void listIsServedByBase() {
        assertEquals("base", Feature.forCommand(features, "list").name);
    }

    @Test
    public void runIsServedByRun() {
        assertEquals("run", Feature.forCommand(features, "run").name);
        assertEquals("run", Feature.forCommand(features, "prepare").name);
    }

    @Test
    public void eventsIsServedByEventsAndTheAgentHasItsBundles() {
        assertEquals("events", Feature.forCommand(features, "events").name);
        List<String> events = ids(features.get("events"));
        assertTrue(events.containsAll(ids(features.get("run"))));
        assertTrue(events.contains("org.bosun:bosun-events:9.9.9"));
        assertTrue(ids(features.get("agent")).containsAll(events));
        assertFalse(ids(features.get("run")).contains("org.bosun:bosun-events:9.9.9"));
    }

    @Test
    public void agentIsServedByAgent() {
        assertEquals("agent", Feature.forCommand(features, "agent").name);
    }

    @Test
    public void anUnknownCommandGetsTheFallbackBase() {
        assertTrue(features.get("base").fallback);
        assertEquals("base", Feature.forCommand(features, "no-such-command").name);
        assertEquals("base", Feature.forCommand(features, null).name);
    }

    @Test
    public void runExtendsBaseWithItsBundles() {
        List<String> base = ids(features.get("base"));
        List<String> run = ids(features.get("run"));
        assertTrue(run.containsAll(base));
        assertEquals("base's bundles come first, in order", base, run.subList(0, base.size()));
        assertTrue(run.contains("org.bosun:bosun-image-appc:9.9.9"));
        assertFalse(base.contains("org.bosun:bosun-image-appc:9.9.9"));
        assertFalse("only base is the fallback", features.get("run").fallback);
    }

    @Test
    public void agentExtendsRunAndSoBase() {
        List<String> agent = ids(features.get("agent"));
        assertTrue(agent.containsAll(ids(features.get("run"))));
        assertTrue(agent.contains("org.bosun:bosun-agent:9.9.9"));
    }

    @Test
    public void keepsStartOrdersAndNamesBundleFilesLikeTheDistribution() {
        Feature.BundleEntry scr = features.get("base").bundles.stream()
                .filter(b -> b.id().startsWith("org.apache.felix:org.apache.felix.scr:")).findFirst().orElseThrow();
        assertEquals(1, scr.startOrder());
        assertEquals("org.apache.felix.scr-9.9.9.jar", scr.fileName());
        assertEquals("bosun-cli-9.9.9.jar", new Feature.BundleEntry("org.bosun:bosun-cli:9.9.9", 5).fileName());
        assertThrows(IllegalArgumentException.class, () -> new Feature.BundleEntry("nogav", 1).fileName());
    }

    @Test
    public void theCommandsThatNeedNoImageFormatAreServedByBase() {
        for (String command : List.of("list", "status", "stop", "rm", "gc", "cat-manifest", "config",
                "help", "run-prepared", "enter", "attach")) {
            assertEquals(command, "base", Feature.forCommand(features, command).name);
        }
    }

    @Test
    public void versionIsServedWithTheImageFormatsBecauseItListsThem() {
        assertEquals("run", Feature.forCommand(features, "version").name);
    }

    @Test
    public void theDigestChangesWhenAParentChanges() throws IOException {
        String before = Feature.loadAll(dir).get("run").digest;
        Path base = dir.resolve("base.json");
        Files.writeString(base, Files.readString(base).replace("\"name\": \"bosun base\"", "\"name\": \"bosun base 2\""));
        assertFalse(before.equals(Feature.loadAll(dir).get("run").digest));
    }

    @Test
    public void refusesAFeatureThatExtendsItself() throws IOException {
        Files.writeString(dir.resolve("loop.json"), "{\"id\":\"x:loop:1\",\"bundles\":[],\"extensions\":{\"bosun-launch\":"
                + "{\"json\":{\"extends\":\"loop\",\"commands\":[\"loop\"]}}}}");
        assertThrows(IllegalArgumentException.class, () -> Feature.loadAll(dir));
    }

    @Test
    public void refusesAFeatureThatExtendsAMissingOne() throws IOException {
        Files.writeString(dir.resolve("orphan.json"), "{\"id\":\"x:orphan:1\",\"extensions\":{\"bosun-launch\":"
                + "{\"json\":{\"extends\":\"nowhere\"}}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Feature.loadAll(dir));
        assertTrue(e.getMessage(), e.getMessage().contains("nowhere"));
    }

    @Test
    public void withoutAFallbackAnUnknownCommandIsAnError() throws IOException {
        Path only = temp.newFolder("only").toPath();
        Files.writeString(only.resolve("one.json"), "{\"id\":\"x:one:1\",\"extensions\":{\"bosun-launch\":"
                + "{\"json\":{\"commands\":[\"list\"]}}}}");
        Map<String, Feature> one = Feature.loadAll(only);
        assertEquals("one", Feature.forCommand(one, "list").name);
        assertThrows(IllegalStateException.class, () -> Feature.forCommand(one, "run"));
    }

    @Test
    public void baseShipsConfigurationAdminInMemoryAndTheConfiguratorBeforeAnyComponent() {
        Feature base = features.get("base");
        int admin = startOrder(base, "org.apache.felix:org.apache.felix.configadmin:");
        int configurator = startOrder(base, "org.bosun:bosun-configurator:");
        assertTrue("Configuration Admin starts before the configurator", admin < configurator);
        for (String withComponents : List.of("bosun-core", "bosun-cli", "bosun-security-userns", "bosun-security-selinux",
                "bosun-cni-networks")) {
            assertTrue(withComponents + " starts after the configurator",
                    startOrder(base, "org.bosun:" + withComponents + ":") > configurator);
        }
        assertTrue(startOrder(features.get("agent"), "org.bosun:bosun-agent:") > configurator);
        assertEquals("memory", base.frameworkProperties.get("felix.cm.pm"));
        assertEquals("inherited", "memory", features.get("agent").frameworkProperties.get("felix.cm.pm"));
    }

    private static int startOrder(Feature f, String idPrefix) {
        return f.bundles.stream().filter(b -> b.id().startsWith(idPrefix)).findFirst()
                .orElseThrow(() -> new AssertionError(f.name + " has no " + idPrefix)).startOrder();
    }

    @Test
    public void aFeaturesConfigurationsLieOverItsParentsKeyByKey() throws IOException {
        Path own = temp.newFolder("own").toPath();
        Files.writeString(own.resolve("parent.json"), "{\"id\":\"x:parent:1\",\"configurations\":{"
                + "\"a.Pid\":{\"one\":1,\"two\":\"parent\"},\"b.Pid\":{\"list\":[\"x\"]}},"
                + "\"extensions\":{\"bosun-launch\":{\"json\":{\"fallback\":true}}}}");
        Files.writeString(own.resolve("child.json"), "{\"id\":\"x:child:1\",\"configurations\":{"
                + "\"a.Pid\":{\"two\":\"child\"}},\"extensions\":{\"bosun-launch\":{\"json\":{\"extends\":\"parent\"}}}}");
        Map<String, Feature> loaded = Feature.loadAll(own);
        assertEquals(Map.of("a.Pid", Map.of("one", 1L, "two", "child"), "b.Pid", Map.of("list", List.of("x"))),
                loaded.get("child").configurations);
        assertEquals("the parent keeps its own", Map.of("one", 1L, "two", "parent"),
                loaded.get("parent").configurations.get("a.Pid"));
    }

    @Test
    public void aFeatureWithABadConfigurationIsRefusedNamingIt() throws IOException {
        Files.writeString(dir.resolve("bad.json"), "{\"id\":\"x:bad:1\",\"configurations\":{\"a.Pid\":{\"k\":null}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Feature.loadAll(dir));
        assertTrue(e.getMessage(), e.getMessage().startsWith("feature bad: configuration a.Pid, key 'k': null"));
    }
}
