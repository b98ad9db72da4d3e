package org.bosun.cni.networks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.cni.api.CniArgs;
import org.bosun.cni.api.NetworkConfig;
import org.bosun.cni.executor.CniExecutorImpl;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Which configuration each --net= name means; nothing is run. */
public class NetworkCatalogTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();
    private RuntimePaths paths;
    private final NetworkCatalog catalog = new NetworkCatalog(new CniExecutorImpl());

    @Before
    public void setUp() {
        Path root = temp.getRoot().toPath();
        paths = new RuntimePaths(root.resolve("data"), root.resolve("etc"), root.resolve("usr"));
    }

    private Path netd(Path configDir, String file, String name, String marker) throws IOException {
        Files.createDirectories(NetworkCatalog.netd(configDir));
        return Files.writeString(NetworkCatalog.netd(configDir).resolve(file), """
                {"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "bridge", "marker": "%s"}]}"""
                .formatted(name, marker));
    }

    private NetworkCatalog.Plan plan(String net) {
        return catalog.plan(paths, CniArgs.parseNetworks(net));
    }

    private NetworkConfig only(String net) {
        return plan(net).networks().get(0).config();
    }

    @Test
    public void defaultIsPtpOnRkts172_16_28WithADefaultRouteNatAndLeasesInTheDataDir() {
        NetworkConfig c = only("default");
        assertEquals("built-in network default", c.source());
        assertEquals("ptp", c.plugins().get(0).type());
        assertTrue(c.json(), c.json().contains("\"subnet\":\"172.16.28.0/24\""));
        assertTrue(c.json(), c.json().contains("\"routes\":[{\"dst\":\"0.0.0.0/0\"}]"));
        assertTrue(c.json(), c.json().contains("\"ipMasq\":true"));
        assertTrue(c.json(), c.json().contains("\"dataDir\":\"" + paths.dataDir().resolve("networks/ipam") + "\""));
        NetworkConfig restricted = only("default-restricted");
        assertTrue(restricted.json().contains("\"subnet\":\"172.31.0.0/16\""));
        assertFalse(restricted.json().contains("routes"));
        assertTrue(restricted.json().contains("\"ipMasq\":false"));
    }

    @Test
    public void noNetworksMeansDefault() {
        assertEquals("default", catalog.plan(paths, List.of()).networks().get(0).name());
    }

    @Test
    public void hostAndNoneStandAlone() {
        assertTrue(plan("host").host());
        assertFalse(plan("none").host());
        assertEquals(List.of(), plan("none").networks());
        assertEquals("--net=host cannot be combined with other networks",
                assertThrows(BosunException.class, () -> plan("default,host")).getMessage());
        assertEquals("--net=none cannot be combined with other networks",
                assertThrows(BosunException.class, () -> plan("none,default")).getMessage());
        assertEquals("--net=host takes no arguments", assertThrows(BosunException.class, () -> plan("host:IP=1.2.3.4")).getMessage());
    }

    @Test
    public void netdFilesDefineNetworksAndOverrideTheBuiltIns() throws IOException {
        Path mine = netd(paths.systemConfigDir(), "10-mynet.conflist", "mynet", "system");
        netd(paths.localConfigDir(), "default.conflist", "default", "local");
        NetworkCatalog.Plan plan = plan("mynet:IP=10.1.2.3,default");
        assertEquals(List.of("mynet", "default"), plan.networks().stream().map(NetworkCatalog.Planned::name).toList());
        assertEquals(mine.toString(), plan.networks().get(0).config().source());
        assertEquals(Map.of("IP", "10.1.2.3"), plan.networks().get(0).args());
        assertTrue(plan.networks().get(1).config().json().contains("\"marker\":\"local\""));
    }

    @Test
    public void aLocalFileShadowsASystemFileOfTheSameNetworkAndTheFirstFileByNameWins() throws IOException {
        netd(paths.systemConfigDir(), "00-first.conflist", "mynet", "system");
        netd(paths.localConfigDir(), "20-later.conflist", "mynet", "local-20");
        netd(paths.localConfigDir(), "10-earlier.conf", "mynet", "local-10");
        assertTrue(only("mynet").json().contains("\"marker\":\"local-10\""));
    }

    @Test
    public void filesOtherThanConfAndConflistAreIgnored() throws IOException {
        netd(paths.localConfigDir(), "mynet.json", "mynet", "json");
        netd(paths.localConfigDir(), "mynet.conflist.orig", "mynet", "backup");
        BosunException e = assertThrows(BosunException.class, () -> plan("mynet"));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
    }

    @Test
    public void anUnknownNetworkNamesWhereItWasLookedForAndTheKnownOnes() throws IOException {
        netd(paths.localConfigDir(), "10-mynet.conflist", "mynet", "x");
        BosunException e = assertThrows(BosunException.class, () -> plan("default,nosuch"));
        assertEquals("network nosuch is not defined: no *.conf or *.conflist in " + paths.localConfigDir().resolve("net.d")
                + " or " + paths.systemConfigDir().resolve("net.d")
                + " declares it (known: default, default-restricted, host, mynet, none)", e.getMessage());
    }

    @Test
    public void reservedNamesDuplicatesAndLoAreRefused() throws IOException {
        assertEquals("network default is named twice in --net=; name each network once",
                assertThrows(BosunException.class, () -> plan("default,default:IP=172.16.28.9")).getMessage());
        assertTrue(assertThrows(BosunException.class, () -> plan("lo")).getMessage().startsWith("network lo is the pod's loopback"));
        Path host = netd(paths.localConfigDir(), "host.conflist", "host", "x");
        assertEquals("network config " + host + " declares network 'host', a name bosun reserves (host, lo, none); rename it",
                assertThrows(BosunException.class, () -> plan("default")).getMessage());
    }

    @Test
    public void aBrokenFileIsNamedInOneLine() throws IOException {
        Files.createDirectories(NetworkCatalog.netd(paths.localConfigDir()));
        Path broken = Files.writeString(NetworkCatalog.netd(paths.localConfigDir()).resolve("x.conf"), "{\"name\": \"x\",\n");
        BosunException e = assertThrows(BosunException.class, () -> plan("default"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("network config " + broken + " is not valid JSON: "));
        assertFalse(e.getMessage().contains("\n"));
    }

    /** A network named by the path of its file, wherever it is (the CRI server's default network). */
    @Test
    public void anAbsolutePathIsThatConfigFileWhateverItsDirectory() throws IOException {
        Path dir = temp.newFolder("cni").toPath();
        Path file = Files.writeString(dir.resolve("10-k8s.conflist"), """
                {"cniVersion": "1.0.0", "name": "k8s-pod-network", "plugins": [{"type": "bridge"}, {"type": "portmap",
                "capabilities": {"portMappings": true}}]}""");
        NetworkCatalog.Planned p = catalog.plan(paths, List.of(Map.entry(file.toString(), Map.of()))).networks().get(0);
        assertEquals("k8s-pod-network", p.name());
        assertEquals(file.toString(), p.config().source());
        assertEquals(List.of("bridge", "portmap"), p.config().plugins().stream().map(c -> c.type()).toList());
        Path single = Files.writeString(dir.resolve("20-one.conf"), """
                {"cniVersion": "0.4.0", "name": "one", "type": "bridge"}""");
        assertEquals("one", catalog.plan(paths, List.of(Map.entry(single.toString(), Map.of()))).networks().get(0).name());
    }

    @Test
    public void aBrokenOrMissingConfigFileNamedByPathIsOneLineSayingWhatToDo() throws IOException {
        Path dir = temp.newFolder("cni").toPath();
        Path broken = Files.writeString(dir.resolve("10-broken.conflist"), "{\"name\": \"x\", \"plugins\": [\n");
        BosunException e = assertThrows(BosunException.class,
                () -> catalog.plan(paths, List.of(Map.entry(broken.toString(), Map.of()))));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("network config " + broken + " is not valid JSON: "));
        assertTrue(e.getMessage(), e.getMessage().endsWith("; fix the file, or remove it from " + dir
                + " if that directory chose it"));
        assertFalse(e.getMessage().contains("\n"));
        Path lo = Files.writeString(dir.resolve("00-lo.conf"), "{\"cniVersion\": \"0.4.0\", \"name\": \"lo\", \"type\": \"loopback\"}");
        assertTrue(assertThrows(BosunException.class, () -> catalog.plan(paths, List.of(Map.entry(lo.toString(),
                Map.of())))).getMessage().contains("a name bosun reserves"));
        Path other = Files.writeString(dir.resolve("notes.txt"), "{}");
        assertTrue(assertThrows(BosunException.class, () -> catalog.plan(paths, List.of(Map.entry(other.toString(),
                Map.of())))).getMessage().contains("is not a .conf, .conflist or .json file"));
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(BosunException.class, () -> catalog.plan(paths,
                List.of(Map.entry(dir.resolve("gone.conflist").toString(), Map.of())))).kind());
    }

    @Test
    public void theNetworksAreListedInLookupOrderAFileReplacingABuiltInOne() throws IOException {
        Path local = netd(paths.localConfigDir(), "10-lab.conflist", "lab", "l");
        Path system = netd(paths.systemConfigDir(), "20-default.conflist", "default", "s");
        netd(paths.systemConfigDir(), "30-lab.conflist", "lab", "shadowed");
        List<org.bosun.api.net.NetworkDefinition> all = catalog.definitions(paths);
        assertEquals(List.of("lab", "default", "default-restricted", "host", "none"),
                all.stream().map(org.bosun.api.net.NetworkDefinition::name).toList());
        assertEquals(new org.bosun.api.net.NetworkDefinition("lab", local.toString(), List.of("bridge")), all.get(0));
        assertEquals(system.toString(), all.get(1).source());
        assertEquals(new org.bosun.api.net.NetworkDefinition("default-restricted", "built-in", List.of("ptp", "portmap")),
                all.get(2));
        assertEquals(new org.bosun.api.net.NetworkDefinition("none", "built-in", List.of()), all.get(4));
    }

    @Test
    public void withoutFilesTheBuiltInNetworksAreListed() {
        assertEquals(List.of(new org.bosun.api.net.NetworkDefinition("default", "built-in", List.of("ptp", "portmap")),
                new org.bosun.api.net.NetworkDefinition("default-restricted", "built-in", List.of("ptp", "portmap")),
                new org.bosun.api.net.NetworkDefinition("host", "built-in", List.of()),
                new org.bosun.api.net.NetworkDefinition("none", "built-in", List.of())), catalog.definitions(paths));
    }
}
