package org.bosun.cni.executor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.cni.api.CachedAttachment;
import org.bosun.cni.api.CniAttachment;
import org.bosun.cni.api.CniContext;
import org.bosun.cni.api.CniPluginException;
import org.bosun.cni.api.CniResult;
import org.bosun.cni.api.NetworkConfig;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

/** The CNI protocol as the executor speaks it, against stand-in plugins (see {@link ScriptPlugins}). */
public class ExecutorProtocolTest {
    private static final Path NETNS = Path.of("/run/netns/bosun-test-none");
    private static final String FIRST_RESULT = """
            {"cniVersion": "1.0.0", "interfaces": [{"name": "veth9"}, {"name": "eth0", "sandbox": "/run/netns/x"}],
             "ips": [{"interface": 1, "address": "10.9.0.2/24", "gateway": "10.9.0.1"}]}""";
    private static final String SECOND_RESULT = """
            {"cniVersion": "1.0.0", "interfaces": [{"name": "veth9"}, {"name": "eth0", "sandbox": "/run/netns/x"}],
             "ips": [{"interface": 1, "address": "10.9.0.2/24", "gateway": "10.9.0.1"}],
             "dns": {"nameservers": ["10.9.0.53"]}}""";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final CniExecutorImpl executor = new CniExecutorImpl();
    private ScriptPlugins plugins;
    private CniContext context;
    private final List<String> debug = new ArrayList<>();
    private final Logger julLogger = Logger.getLogger(CniExecutorImpl.class.getName());
    private final Handler capture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            synchronized (debug) {
                debug.add(formatter.formatMessage(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Before
    public void setUp() throws IOException {
        plugins = new ScriptPlugins(temp.newFolder("plugins").toPath());
        context = new CniContext(List.of(plugins.dir()), temp.getRoot().toPath().resolve("cache"), Duration.ofSeconds(10));
        julLogger.setLevel(java.util.logging.Level.FINE);
        julLogger.addHandler(capture);
    }

    @After
    public void tearDown() {
        julLogger.removeHandler(capture);
        executor.deactivate();
    }

    private NetworkConfig chain(String name, String version, String... types) {
        StringBuilder list = new StringBuilder("{\"cniVersion\": \"" + version + "\", \"name\": \"" + name + "\", \"plugins\": [");
        for (int i = 0; i < types.length; i++) {
            list.append(i == 0 ? "" : ", ").append("{\"type\": \"").append(types[i]).append("\", \"marker\": \"original\"}");
        }
        return executor.parse(list.append("]}").toString(), name + ".conflist");
    }

    private static CniAttachment attachment(String containerId) {
        return new CniAttachment(containerId, NETNS, "eth0");
    }

    @Test
    public void addRunsTheChainInOrderAndPassesEachResultToTheNext() throws Exception {
        plugins.write("first", Map.of("ADD", ScriptPlugins.print(FIRST_RESULT)));
        plugins.write("second", Map.of("ADD", ScriptPlugins.print(SECOND_RESULT)));
        CniResult result = executor.add(context, chain("chain", "1.0.0", "first", "second"), attachment("c1"));
        assertEquals(List.of("ADD first", "ADD second"), plugins.calls());
        assertFalse(plugins.input("first", "ADD").has("prevResult"));
        assertEquals(Json.MAPPER.readTree(FIRST_RESULT), plugins.input("second", "ADD").get("prevResult"));
        assertEquals("chain", plugins.input("second", "ADD").get("name").asText());
        assertEquals(List.of("10.9.0.53"), result.dns().nameservers());
        assertEquals("10.9.0.2/24", result.addressesOf("eth0").get(0).address());
    }

    @Test
    public void aResultOfAnotherVersionIsConvertedToTheListsVersionBeforeItIsPassedOn() throws Exception {
        plugins.write("old", Map.of("ADD", ScriptPlugins.print("""
                {"cniVersion": "0.3.1", "ips": [{"version": "4", "address": "10.9.0.7/24"}]}""")));
        plugins.write("second", Map.of());
        CniResult result = executor.add(context, chain("mixed", "1.0.0", "old", "second"), attachment("c1"));
        JsonNode prev = plugins.input("second", "ADD").get("prevResult");
        assertEquals("1.0.0", prev.get("cniVersion").asText());
        assertFalse(prev.get("ips").get(0).has("version"));
        assertEquals("1.0.0", result.cniVersion());
        assertEquals("10.9.0.7/24", result.ips().get(0).address());
    }

    @Test
    public void deleteRunsInReverseOrderWithTheCachedConfigAndResult() throws Exception {
        plugins.write("first", Map.of("ADD", ScriptPlugins.print(FIRST_RESULT)));
        plugins.write("second", Map.of("ADD", ScriptPlugins.print(SECOND_RESULT)));
        NetworkConfig original = chain("chain", "1.0.0", "first", "second");
        executor.add(context, original, attachment("c1"));
        Path cacheFile = context.cacheDir().resolve("chain-c1-eth0.json");
        assertTrue(Files.exists(cacheFile));
        CachedAttachment cached = executor.cached(context, "chain", "c1", "eth0").orElseThrow();
        assertEquals(original.json(), cached.network().json());

        // The configuration changed on disk since: DEL still uses what ADD used.
        NetworkConfig edited = executor.parse("{\"cniVersion\": \"1.0.0\", \"name\": \"chain\", \"plugins\": ["
                + "{\"type\": \"second\", \"marker\": \"edited\"}]}", "edited");
        executor.delete(context, edited, attachment("c1"));
        assertEquals(List.of("ADD first", "ADD second", "DEL second", "DEL first"), plugins.calls());
        assertEquals("original", plugins.input("second", "DEL").get("marker").asText());
        assertEquals(Json.MAPPER.readTree(SECOND_RESULT), plugins.input("first", "DEL").get("prevResult"));
        assertFalse(Files.exists(cacheFile));

        // Twice is fine: without a cache entry the given configuration is used.
        executor.delete(context, edited, attachment("c1"));
        assertEquals("DEL second", plugins.calls().get(plugins.calls().size() - 1));
        assertFalse(plugins.input("second", "DEL").has("prevResult"));
    }

    @Test
    public void aFailedAddIsUndoneForEveryPluginInReverseOrderAndLeavesNoCacheEntry() throws Exception {
        plugins.write("first", Map.of("ADD", ScriptPlugins.print(FIRST_RESULT)));
        plugins.write("failing", Map.of("ADD", ScriptPlugins.print("""
                {"cniVersion": "1.0.0", "code": 7, "msg": "bad bridge", "details": "first line\\nsecond line"}""")
                + "\nexit 1"));
        plugins.write("third", Map.of());
        CniPluginException e = assertThrows(CniPluginException.class,
                () -> executor.add(context, chain("chain", "1.0.0", "first", "failing", "third"), attachment("c1")));
        assertEquals("network chain: plugin failing ADD failed (code 7): bad bridge: first line; second line", e.getMessage());
        assertEquals(7, e.code());
        assertEquals("failing", e.plugin());
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals(List.of("ADD first", "ADD failing", "DEL third", "DEL failing", "DEL first"), plugins.calls());
        assertTrue(executor.cached(context).isEmpty());
    }

    @Test
    public void aFailedAddWhoseUndoFailsTooStaysCachedForALaterDelete() throws Exception {
        plugins.write("stuck", Map.of(
                "ADD", ScriptPlugins.print("{\"code\": 11, \"msg\": \"busy\"}") + "\nexit 1",
                "DEL", ScriptPlugins.print("{\"code\": 999, \"msg\": \"still busy\"}") + "\nexit 1"));
        NetworkConfig network = chain("n", "1.0.0", "stuck");
        CniPluginException e = assertThrows(CniPluginException.class, () -> executor.add(context, network, attachment("c1")));
        assertEquals("network n: plugin stuck ADD failed (code 11): busy", e.getMessage());
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals("network n: plugin stuck DEL failed (code 999): still busy", e.getSuppressed()[0].getMessage());
        assertEquals(1, executor.cached(context).size());

        plugins.write("stuck", Map.of());
        executor.delete(context, network, attachment("c1"));
        assertTrue(executor.cached(context).isEmpty());
    }

    @Test
    public void aPluginWithoutAnErrorObjectIsReportedWithItsLastStderrLine() throws Exception {
        plugins.write("crashing", Map.of("ADD", "echo 'goroutine 1 [running]:' >&2; echo 'panic: boom' >&2; exit 2"));
        BosunException e = assertThrows(BosunException.class,
                () -> executor.add(context, chain("n", "1.0.0", "crashing"), attachment("c1")));
        assertEquals("network n: plugin crashing ADD failed (exit status 2): panic: boom", e.getMessage());
    }

    @Test
    public void aPluginThatHangsIsKilledWithItsChildrenAfterTheTimeout() throws Exception {
        plugins.write("slow", Map.of("ADD", "sleep 60 & echo $! > \"$dir/child.pid\"; wait"));
        CniContext quick = new CniContext(context.pluginDirs(), context.cacheDir(), Duration.ofMillis(300));
        long start = System.nanoTime();
        CniPluginException e = assertThrows(CniPluginException.class,
                () -> executor.add(quick, chain("slow", "1.0.0", "slow"), attachment("c1")));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("network slow: plugin slow ADD did not finish within 300 ms and was killed", e.getMessage());
        assertEquals(CniPluginException.TIMED_OUT, e.code());
        assertTrue("took " + millis + " ms", millis < 5000);
        long child = Long.parseLong(Files.readString(plugins.dir().resolve("child.pid")).strip());
        assertFalse("the plugin's child " + child + " still runs", running(child));
        assertEquals(List.of("ADD slow", "DEL slow"), plugins.calls());
        assertTrue(executor.cached(context).isEmpty());
    }

    /** PID 1 of these machines reaps late: a killed process may stay a zombie for a while. */
    private static boolean running(long pid) throws IOException, InterruptedException {
        for (int i = 0; i < 50; i++) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            if (!Files.exists(stat)) {
                return false;
            }
            String s = Files.readString(stat);
            if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    public void aMissingPluginIsNamedWithTheFileToFixBeforeAnythingRuns() throws Exception {
        plugins.write("first", Map.of());
        BosunException e = assertThrows(BosunException.class,
                () -> executor.add(context, chain("n", "1.0.0", "first", "bosun-no-such-plugin"), attachment("c1")));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals("network n: CNI plugin 'bosun-no-such-plugin' is not installed in " + plugins.dir()
                + "; install it or fix \"type\" in n.conflist", e.getMessage());
        assertEquals(List.of(), plugins.calls());
        assertTrue(executor.cached(context).isEmpty());
    }

    @Test
    public void pluginsGetTheCniVariablesWithArgumentsAfterIgnoreUnknown() throws Exception {
        plugins.write("first", Map.of());
        executor.add(context, chain("n", "1.0.0", "first"),
                new CniAttachment("c1", NETNS, "eth3", Map.of("IP", "10.1.2.3"), Map.of()));
        assertEquals(List.of("CNI_ARGS=IgnoreUnknown=1;IP=10.1.2.3", "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1",
                "CNI_IFNAME=eth3", "CNI_NETNS=" + NETNS, "CNI_PATH=" + plugins.dir()), plugins.env("first", "ADD"));
    }

    @Test
    public void checkRunsInOrderWithTheCachedResultFromCni040On() throws Exception {
        plugins.write("first", Map.of("ADD", ScriptPlugins.print(FIRST_RESULT)));
        plugins.write("second", Map.of());
        executor.add(context, chain("n", "1.0.0", "first", "second"), attachment("c1"));
        executor.check(context, "n", "c1", "eth0");
        assertEquals(List.of("ADD first", "ADD second", "CHECK first", "CHECK second"), plugins.calls());
        assertEquals(Json.MAPPER.readTree(FIRST_RESULT), plugins.input("first", "CHECK").get("prevResult"));

        plugins.write("old", Map.of("ADD", ScriptPlugins.print("{\"cniVersion\": \"0.3.1\"}")));
        executor.add(context, chain("old", "0.3.1", "old"), attachment("c1"));
        executor.check(context, "old", "c1", "eth0");
        assertFalse(plugins.calls().contains("CHECK old"));
        assertTrue(debug.toString(), debug.contains("network old: CHECK skipped: its cniVersion 0.3.1 has no CHECK (0.4.0 and later)"));

        BosunException e = assertThrows(BosunException.class, () -> executor.check(context, "n", "c2", "eth0"));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
    }

    @Test
    public void aFailedCheckNamesThePluginAndItsMessage() throws Exception {
        plugins.write("first", Map.of("ADD", ScriptPlugins.print(FIRST_RESULT),
                "CHECK", ScriptPlugins.print("{\"code\": 999, \"msg\": \"interface eth0 not found\"}") + "\nexit 1"));
        executor.add(context, chain("n", "1.0.0", "first"), attachment("c1"));
        assertEquals("network n: plugin first CHECK failed (code 999): interface eth0 not found",
                assertThrows(CniPluginException.class, () -> executor.check(context, "n", "c1", "eth0")).getMessage());
    }

    @Test
    public void anAttachmentIsAddedOnlyOnce() throws Exception {
        plugins.write("first", Map.of());
        executor.add(context, chain("n", "1.0.0", "first"), attachment("c1"));
        BosunException e = assertThrows(BosunException.class,
                () -> executor.add(context, chain("n", "1.0.0", "first"), attachment("c1")));
        assertEquals(ErrorKind.ALREADY_EXISTS, e.kind());
    }

    @Test
    public void anInterruptedAddStaysCachedSoThatItCanBeDeleted() throws Exception {
        plugins.write("first", Map.of());
        NetworkConfig network = chain("n", "1.0.0", "first");
        // What a killed process leaves: the entry written before the first plugin ran, without a result.
        AttachmentCache.write(context.cacheDir(), new AttachmentCache.Entry(AttachmentCache.KIND, "n", "c9", "eth0",
                NETNS.toString(), Map.of(), Map.of(), Json.MAPPER.readTree(network.json()), "n.conflist", null));
        CachedAttachment cached = executor.cached(context).get(0);
        assertEquals(null, cached.result());
        executor.delete(context, cached.network(), cached.attachment());
        assertEquals(List.of("DEL first"), plugins.calls());
        assertTrue(executor.cached(context).isEmpty());
    }

    @Test
    public void gcDeletesStaleAttachmentsAndCallsGcOnPluginsThatSpeakCni110() throws Exception {
        plugins.write("modern", Map.of("VERSION", ScriptPlugins.print(
                "{\"cniVersion\": \"1.1.0\", \"supportedVersions\": [\"1.0.0\", \"1.1.0\"]}")));
        NetworkConfig network = chain("gcnet", "1.1.0", "modern");
        executor.add(context, network, attachment("keep"));
        executor.add(context, network, attachment("stale"));
        List<CachedAttachment> deleted = executor.gc(context, network, List.of(attachment("keep")));
        assertEquals(List.of("stale"), deleted.stream().map(c -> c.attachment().containerId()).toList());
        assertEquals(List.of("ADD modern", "ADD modern", "DEL modern", "VERSION modern", "GC modern"), plugins.calls());
        assertEquals(Json.MAPPER.readTree("[{\"containerID\": \"keep\", \"ifname\": \"eth0\"}]"),
                plugins.input("modern", "GC").get(CniExecutorImpl.VALID_ATTACHMENTS));
        assertEquals(1, executor.cached(context).size());
    }

    @Test
    public void gcSkipsPluginsAndNetworksOlderThanCni110WithADebugLine() throws Exception {
        Path loopback = Path.of("/usr/lib/cni/loopback");
        org.junit.Assume.assumeTrue("needs the CNI plugins in /usr/lib/cni", Files.isExecutable(loopback));
        CniContext real = new CniContext(List.of(Path.of("/usr/lib/cni")), context.cacheDir(), Duration.ofSeconds(10));
        executor.gc(real, executor.parse("{\"cniVersion\": \"1.1.0\", \"name\": \"lo11\", \"plugins\": [{\"type\": \"loopback\"}]}",
                "t"), List.of());
        assertTrue(debug.toString(), debug.contains("network lo11: GC skipped for plugin loopback: it speaks CNI 0.1.0,"
                + " 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, and GC needs CNI 1.1.0"));
        executor.gc(real, executor.parse("{\"cniVersion\": \"1.0.0\", \"name\": \"lo10\", \"plugins\": [{\"type\": \"loopback\"}]}",
                "t"), List.of());
        assertTrue(debug.toString(), debug.contains("network lo10: plugin GC skipped: the network's cniVersion is 1.0.0"
                + " and GC needs CNI 1.1.0"));
    }

    @Test
    public void versionReportsWhatThePluginSpeaks() {
        org.junit.Assume.assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/ptp")));
        CniContext real = new CniContext(List.of(Path.of("/usr/lib/cni")), context.cacheDir(), Duration.ofSeconds(10));
        assertTrue(executor.version(real, "ptp").supports("1.0.0"));
        assertFalse(executor.version(real, "ptp").supports("1.1.0"));
    }
}
