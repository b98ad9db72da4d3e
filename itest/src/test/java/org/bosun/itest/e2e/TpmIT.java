package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.bosun.security.tpm.Swtpm;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * TPM measurement (issue 6) against a real swtpm: after pods ran on nspawn and fly, {@code bosun
 * tpm log} replays the data directory's event log to the PCR 15 value that {@code tpm2_pcrread}
 * reports, and says so; an extend that is not in the log makes it report a mismatch and fail.
 * PCRs cannot be reset, and each test has a data directory (so a log) of its own: each test gets
 * its own swtpm, whose PCR history is then exactly that log.
 */
public class TpmIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    private Swtpm tpm;
    private Path config;

    public TpmIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Before
    public void startTpm() throws Exception {
        tpm = Swtpm.start();
        config = Files.createDirectories(work.resolve("config/tpm.d")).getParent();
        Files.writeString(config.resolve("tpm.d/test.json"), "{\"bosunKind\": \"tpm\", \"bosunVersion\": \"v1\","
                + " \"tcti\": \"" + tpm.tcti() + "\"}");
    }

    @After
    public void stopTpm() throws Exception {
        if (tpm != null) {
            tpm.close();
        }
    }

    @Test
    public void theEventLogOfPodsThatRanReplaysToThePcrTheTpmReports() throws Exception {
        String local = "--local-config=" + config;
        BosunResult version = bosun(local, "version");
        assertExit(0, version);
        assertTrue(version.describe(), version.stdout.matches("(?s).*\n  tpm  org\\.bosun\\.security\\.tpm \\S+: active\n.*"));

        assertExit(0, bosun(local, "run", INSECURE, "--stage1-name=nspawn", aci(), "--exec", "/bin/true"));
        assertExit(0, bosun(local, "run", INSECURE, FLY, aci(), "--exec", "/bin/true"));

        BosunResult log = bosun(local, "tpm", "log", "--format=json");
        assertExit(0, log);
        JsonNode replay = JSON.readTree(log.stdout);
        String pcr15 = pcrRead();
        assertEquals(log.describe(), pcr15, replay.path("replayed").path("sha256").asText());
        assertEquals(log.describe(), pcr15, replay.path("reported").path("sha256").asText());
        assertTrue(log.describe(), replay.path("match").asBoolean());
        List<String> descriptions = new ArrayList<>();
        replay.path("events").forEach(e -> descriptions.add(e.path("type_name").asText() + " " + e.path("pcr").asInt()
                + " " + e.path("description").asText().replaceAll("^bosun pod \\S+ ", "").replaceAll("(?s) .*", "")));
        assertEquals(List.of("EV_NO_ACTION 0 Spec", "EV_IPL 15 manifest", "EV_IPL 15 app", "EV_IPL 15 engine",
                "EV_IPL 15 manifest", "EV_IPL 15 app", "EV_IPL 15 engine"), descriptions);
        assertTrue(replay.path("events").get(3).path("description").asText(),
                replay.path("events").get(3).path("description").asText().contains(" engine nspawn "));

        BosunResult human = bosun(local, "tpm", "log");
        assertExit(0, human);
        assertContains("tpm log", "PCR 15 sha256 TPM:      " + pcr15 + "\n", human);
        assertContains("tpm log", "match: the log replays to the TPM's PCR 15\n", human);
    }

    @Test
    public void anExtendThatIsNotInTheLogIsReportedAsAMismatch() throws Exception {
        String local = "--local-config=" + config;
        assertExit(0, bosun(local, "run", INSECURE, FLY, aci(), "--exec", "/bin/true"));
        assertExit(0, bosun(local, "tpm", "log"));

        exec("tpm2_pcrextend", "15:sha256=" + "ab".repeat(32));
        BosunResult log = bosun(local, "tpm", "log");
        assertExit(1, log);
        assertContains("tpm log", "MISMATCH: the log does not replay to the TPM's PCR 15\n", log);
        assertContains("tpm log", "PCR 15 sha256 TPM:      " + pcrRead() + "\n", log);
        assertContains("tpm log", "bosun tpm log: mismatch: PCR 15 was extended by something that is not in this log", log);
    }

    /** PCR 15 of the sha256 bank as tpm2_pcrread prints it, in lower case without 0x. */
    private String pcrRead() throws Exception {
        String out = exec("tpm2_pcrread", "sha256:15");
        for (String line : out.split("\n")) {
            if (line.strip().startsWith("15:")) {
                return line.strip().substring(3).strip().replaceFirst("^0x", "").toLowerCase(Locale.ROOT);
            }
        }
        throw new AssertionError("tpm2_pcrread printed no PCR 15: " + out);
    }

    private String exec(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("TPM2TOOLS_TCTI", tpm.tcti());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", command) + " did not finish", p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(String.join(" ", command) + ": " + out, 0, p.exitValue());
        return out;
    }
}
