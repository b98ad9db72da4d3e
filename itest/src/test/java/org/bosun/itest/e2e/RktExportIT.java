package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 13: rkt's {@code export}. An exited pod's app becomes an ACI with the app's changes to its
 * root filesystem (a file written, a file removed), which {@code fetch} takes and {@code run} runs,
 * on nspawn, oci with runc and crun, and fly; the refusals are one line each and leave nothing.
 */
public class RktExportIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final List<List<String>> ENGINES = List.of(List.of("--stage1-name=nspawn"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=runc"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=crun"), List.of(FLY));
    static final String CHANGE = "echo changed > /exported; rm /bin/true";
    static final String CHECK = "cat /exported; [ -e /bin/true ] && echo has-true || echo no-true";

    public RktExportIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void anExitedAppsChangesAreExportedAsAnAciThatFetchesAndRuns() throws Exception {
        for (List<String> engine : ENGINES) {
            int n = ENGINES.indexOf(engine);
            Path uuidFile = work.resolve("uuid-" + n);
            List<String> run = new ArrayList<>(List.of("run", INSECURE));
            run.addAll(engine);
            run.addAll(List.of("--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/sh", "--", "-c", CHANGE));
            assertExit(0, bosun(run.toArray(String[]::new)));
            Path aci = work.resolve("exported-" + n + ".aci");
            BosunResult export = bosun("export", Files.readString(uuidFile).trim(), aci.toString());
            assertExit(0, export);
            assertEquals(engine + ": mode 0644", "rw-r--r--",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(aci)));
            assertEquals(engine + ": nothing but the ACI beside it", List.of(), leftovers());
            BosunResult fetch = bosun("fetch", INSECURE, aci.toString());
            assertExit(0, fetch);
            String id = fetch.stdout.trim();
            List<String> again = new ArrayList<>(List.of("run", INSECURE));
            again.addAll(engine);
            again.addAll(List.of(id, "--exec", "/bin/sh", "--", "-c", CHECK));
            BosunResult ran = bosun(again.toArray(String[]::new));
            assertExit(0, ran);
            assertEquals(engine + ":\n" + ran.describe(), List.of("changed", "no-true"), ran.stdoutLines());
        }
    }

    @Test
    @AgentModeOnly("the refusals are the core's export code in both modes")
    public void exportRefusesWhatItCannotDoInOneLineAndWritesNothing() throws Exception {
        Path uuidFile = work.resolve("uuid");
        assertExit(0, bosun("run", INSECURE, "--stage1-name=oci", "--uuid-file-save=" + uuidFile,
                aci(), "--name=one", "--exec", "/bin/true", "---", aci(), "--name=two", "--exec", "/bin/true"));
        String uuid = Files.readString(uuidFile).trim();
        Path aci = work.resolve("two.aci");
        BosunResult several = bosun("export", uuid, aci.toString());
        assertExit(4, several);
        assertOneClearLine(several);
        assertContains("names --app", "--app", several);
        BosunResult missing = bosun("export", "--app=three", uuid, aci.toString());
        assertExit(2, missing);
        assertOneClearLine(missing);
        assertFalse(Files.exists(aci));
        assertExit(0, bosun("export", "--app=two", uuid, aci.toString()));
        long size = Files.size(aci);
        Files.writeString(aci, "kept");
        BosunResult exists = bosun("export", "--app=two", uuid, aci.toString());
        assertExit(3, exists);
        assertOneClearLine(exists);
        assertEquals("the existing file is untouched", "kept", Files.readString(aci));
        assertExit(0, bosun("export", "--overwrite", "--app=two", uuid, aci.toString()));
        assertEquals(size, Files.size(aci), 4096.0);
        assertEquals(List.of(), leftovers());

        Path runningUuid = work.resolve("running-uuid");
        BosunProcess running = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + runningUuid, aci(), "--exec",
                "/bin/sh", "--", "-c", "read x");
        assertTrue(eventually(CALL_TIMEOUT, Duration.ofMillis(50), () -> Files.exists(runningUuid)));
        String live = Files.readString(runningUuid).trim();
        assertExit(0, bosun("status", "--wait-ready=60s", live));
        Path notWritten = work.resolve("running.aci");
        BosunResult refused = bosun("export", live, notWritten.toString());
        assertExit(5, refused);
        assertOneClearLine(refused);
        assertFalse("nothing written for a running pod", Files.exists(notWritten));
        running.writeStdin("go\n");
        running.closeStdin();
        assertExit(0, running.await(CALL_TIMEOUT));
    }

    /** Temporary files export may have left in the work directory. */
    private List<String> leftovers() throws Exception {
        try (var files = Files.list(work)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }
}
