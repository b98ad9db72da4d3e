package org.bosun.security.tpm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.security.MeasurementReplay;
import org.bosun.api.security.PodMeasurement;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.files.FileTree;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The module against a real swtpm. PCRs cannot be reset, so each test that extends gets a TPM of
 * its own: the PCR's history is then exactly the test's log.
 */
public class TpmModuleTest {
    private static Swtpm classTpm;
    private final TpmModule module = new TpmModule();
    private Path work;
    private RuntimePaths paths;
    private Swtpm ownTpm;

    @BeforeClass
    public static void startTpm() throws Exception {
        classTpm = Swtpm.start();
    }

    @AfterClass
    public static void stopTpm() throws Exception {
        if (classTpm != null) {
            classTpm.close();
        }
    }

    @Before
    public void setUp() throws Exception {
        work = Files.createTempDirectory("bosun-tpm-test-");
        paths = new RuntimePaths(work.resolve("data"), work.resolve("local"), work.resolve("system"));
    }

    @After
    public void tearDown() throws Exception {
        try {
            if (ownTpm != null) {
                ownTpm.close();
            }
        } finally {
            FileTree.delete(work);
        }
    }

    private void configure(String json) throws Exception {
        Files.createDirectories(paths.localConfigDir().resolve("tpm.d"));
        Files.writeString(paths.localConfigDir().resolve("tpm.d/tpm.json"), json);
    }

    private void configure(Swtpm tpm) throws Exception {
        configure("{\"bosunKind\": \"tpm\", \"bosunVersion\": \"v1\", \"tcti\": \"" + tpm.tcti()
                + "\", \"banks\": [\"sha256\", \"sha1\"]}");
    }

    private PodMeasurement pod(String uuid) throws Exception {
        Path dir = Files.createDirectories(work.resolve("pods/" + uuid));
        Path rootfs = Files.createDirectories(dir.resolve("apps/app1/rootfs/bin"));
        Files.writeString(rootfs.resolve("sh"), "#!/bin/true");
        Files.writeString(dir.resolve("pod"), "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[{\"name\":"
                + "\"app1\",\"image\":{\"name\":\"example.com/busybox\",\"id\":\"sha512-abc\"}}]}");
        PodDirectory pod = new PodDirectory(uuid, dir, List.of(new PodDirectory.App("app1", rootfs.getParent(),
                List.of("/bin/sh"), Map.of(), 0, 0, "/", null, null, false, null, null, null, null, null, null)), Map.of());
        return new PodMeasurement(paths, pod, dir.resolve("pod"), "fly", "0.1.0",
                new EngineCommand(List.of("/usr/bin/env", "--pod", uuid), List.of(), "/"));
    }

    @Test
    public void measuredPodsReplayToThePcrValueTheTpmReports() throws Exception {
        ownTpm = Swtpm.start();
        configure(ownTpm);
        assertNull(module.inactiveReason(paths));

        module.measure(pod("11111111-0000-0000-0000-000000000001"));
        module.measure(pod("11111111-0000-0000-0000-000000000002"));
        MeasurementReplay replay = module.replay(paths);

        assertTrue(replay.problem() + " " + replay, replay.matches());
        assertEquals(Map.of("sha256", replay.replayed().get("sha256"), "sha1", replay.replayed().get("sha1")),
                replay.reported());
        assertFalse(replay.replayed().get("sha256").matches("0+"));
        assertEquals(1 + 2 * 3, replay.events().size());
        assertEquals("EV_NO_ACTION", replay.events().get(0).typeName());
        MeasurementReplay.Event engine = replay.events().get(3);
        assertEquals(15, engine.pcr());
        assertEquals("EV_IPL", engine.typeName());
        assertEquals("bosun pod 11111111-0000-0000-0000-000000000001 engine fly 0.1.0 argv /usr/bin/env --pod"
                + " 11111111-0000-0000-0000-000000000001", engine.description());
        assertTrue(replay.events().get(2).description(),
                replay.events().get(2).description().contains("app app1 image example.com/busybox sha512-abc rootfs"));
    }

    @Test
    public void aChangedImageTreeGivesAnotherMeasurement() throws Exception {
        PodMeasurement a = pod("22222222-0000-0000-0000-000000000001");
        var before = TpmModule.events(a, List.of(TcgEventLog.Bank.SHA256), 15).get(1).digests();
        Files.writeString(a.pod().apps().get(0).rootfs().resolve("bin/sh"), "something else");
        var after = TpmModule.events(a, List.of(TcgEventLog.Bank.SHA256), 15).get(1).digests();
        assertFalse(java.util.Arrays.equals(before.get(TcgEventLog.Bank.SHA256), after.get(TcgEventLog.Bank.SHA256)));
    }

    @Test
    public void aLogFromAnotherTpmIsKeptAsideAndANewOneBegun() throws Exception {
        configure(classTpm);
        module.measure(pod("33333333-0000-0000-0000-000000000001"));
        ownTpm = Swtpm.start();
        configure(ownTpm);
        module.measure(pod("33333333-0000-0000-0000-000000000002"));

        MeasurementReplay replay = module.replay(paths);
        assertTrue(replay.problem(), replay.matches());
        assertEquals(1 + 3, replay.events().size());
        assertTrue(Files.exists(paths.dataDir().resolve("tpm/eventlog.1")));
    }

    @Test
    public void aRequiredTpmThatDoesNotAnswerRefusesThePodAndLogsNothing() throws Exception {
        ownTpm = Swtpm.start();
        configure(ownTpm);
        ownTpm.close();
        ownTpm = null;

        BosunException e = assertThrows(BosunException.class, () -> module.measure(pod("44444444-0000-0000-0000-000000000001")));
        assertTrue(e.getMessage(), e.getMessage().startsWith("pod 44444444-0000-0000-0000-000000000001 was not started:"
                + " it must be measured into the TPM, but TPM swtpm:host=127.0.0.1"));
        assertTrue(e.getMessage(), e.getMessage().contains("\"required\": false"));
        assertNotNull(module.inactiveReason(paths));
        assertFalse(Files.exists(paths.dataDir().resolve("tpm/eventlog")));
    }

    @Test
    public void aTpmNotRequiredThatDoesNotAnswerLetsThePodRunUnmeasured() throws Exception {
        ownTpm = Swtpm.start();
        String tcti = ownTpm.tcti();
        ownTpm.close();
        ownTpm = null;
        configure("{\"bosunKind\": \"tpm\", \"bosunVersion\": \"v1\", \"tcti\": \"" + tcti + "\", \"required\": false}");

        module.measure(pod("55555555-0000-0000-0000-000000000001"));
        assertTrue(module.inactiveReason(paths), module.inactiveReason(paths).endsWith("pods run unmeasured"));
    }

    @Test
    public void withoutATpmTheModuleIsInactiveAndMeasuresNothing() throws Exception {
        module.measure(pod("66666666-0000-0000-0000-000000000001"));
        assertTrue(module.inactiveReason(paths), module.inactiveReason(paths).startsWith("no TPM: no tpm.d/*.json in "));
        assertFalse(Files.exists(paths.dataDir().resolve("tpm")));
        MeasurementReplay replay = module.replay(paths);
        assertFalse(replay.matches());
        assertTrue(replay.problem(), replay.problem().startsWith("no TPM is configured"));
    }

    @Test
    public void aBadConfigurationFileIsNamedWithWhatToFix() throws Exception {
        configure("{\"bosunKind\": \"tpm\", \"bosunVersion\": \"v1\", \"tcti\": \"swtpm:port=1\", \"pcr\": 42}");
        BosunException e = assertThrows(BosunException.class, () -> module.measure(pod("77777777-0000-0000-0000-000000000001")));
        assertEquals("configuration file " + paths.localConfigDir().resolve("tpm.d/tpm.json") + " has \"pcr\": 42;"
                + " give a PCR index from 0 to 23 (default 15)", e.getMessage());
    }
}
