package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runners.Parameterized.Parameters;

/**
 * {@code bosun shell}: the agent's Gogo shell. Its bosun commands are the CLI's (same output, same
 * errors and exit codes), over a root-only socket beside the agent's; without an agent it refuses
 * in one line. The agent mode only: the shell lives in the agent.
 */
public class ShellIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    @Parameters(name = "{0}")
    public static Collection<Object[]> modes() {
        return java.util.Collections.singletonList(new Object[] {Mode.AGENT});
    }

    public ShellIT(Mode mode) {
        super(FIXTURE, mode);
    }

    /** {@code bosun shell -c LINE} with the data directory of this test. */
    BosunResult shell(String line) throws Exception {
        return call(mode, work, null, List.of(fixture.bin.toString(), "shell", "-c", line));
    }

    @Test
    public void theShellsCommandsAreTheClis() throws Exception {
        String prepared = uuidIn(bosun("prepare", INSECURE, FLY, aci()));
        BosunResult cli = bosun("list", "--format=json");
        BosunResult gogo = shell("bosun:list --dir " + data + " --format=json");
        assertExit(0, gogo);
        assertEquals("bosun:list prints what bosun list prints:\n" + gogo.describe(), cli.stdout, gogo.stdout);
        assertTrue(gogo.stdout, gogo.stdout.contains(prepared));
        assertEquals("", gogo.stderr);

        // the bare name is the bosun command, and the read verbs the CLI spreads over version are there
        assertEquals(cli.stdout, shell("list --dir " + data + " --format=json").stdout);
        BosunResult engines = shell("bosun:engines");
        assertExit(0, engines);
        assertTrue(engines.describe(), engines.stdout.lines().anyMatch(l -> l.startsWith("fly  org.bosun.stage1.fly ")));
        assertEquals(bosun("version", "--only=providers").stdout, shell("bosun:providers --dir " + data).stdout);

        // errors: the CLI's one line and exit code
        for (List<String> bad : List.of(List.of("frobnicate"), List.of("list", "--frobnicate"),
                List.of("status", "0123abcd"))) {
            BosunResult direct = bosun(bad.toArray(new String[0]));
            BosunResult through = shell("bosun:" + String.join(" ", bad) + " --dir " + data);
            assertOneClearLine(through);
            assertEquals(String.join(" ", bad) + ": the same exit code:\n" + through.describe() + direct.describe(),
                    direct.exitCode, through.exitCode);
            assertEquals(String.join(" ", bad) + ": the same error:\n" + through.describe() + direct.describe(),
                    direct.stderr, through.stderr);
        }
        assertExit(0, shell("bosun:rm --dir " + data + " " + prepared));
        assertNoPods();
    }

    @Test
    public void aPodRunByTheCliIsStoppedThroughTheShell() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--", "-c",
                "sleep 60");
        assertTrue("the pod runs within 60 s", eventually(Duration.ofSeconds(60), Duration.ofMillis(200),
                () -> Files.exists(uuidFile) && states(list()).equals(List.of("running"))));
        String uuid = Files.readString(uuidFile).trim();
        BosunResult stop = shell("bosun:stop --dir " + data + " " + uuid);
        assertExit(0, stop);
        assertEquals(uuid + "\n", stop.stdout);
        run.await(Duration.ofSeconds(30)); // bosun run ends with its pod
        assertTrue("the pod is exited", eventually(Duration.ofSeconds(20), Duration.ofMillis(200),
                () -> states(list()).equals(List.of("exited"))));
        assertExit(0, shell("bosun:gc --dir " + data + " --grace-period=0s"));
        assertNoPods();
    }

    @Test
    public void theSocketIsRootsAndTheInteractiveShellReadsLines() throws Exception {
        Path socket = fixture.socket.resolveSibling("shell.sock");
        assertTrue(socket + " is a socket", Files.exists(socket));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        BosunResult session = call(mode, work, "bosun:engines\n\nlist --dir " + data + " --format=json\nbosun:nosuch\n"
                + "exit\nbosun:version\n", List.of(fixture.bin.toString(), "shell"));
        BosunResult nosuch = bosun("nosuch");
        assertEquals("the session's status is its last command's:\n" + session.describe(), nosuch.exitCode,
                session.exitCode);
        assertTrue(session.describe(), session.stdout.lines().anyMatch(l -> l.startsWith("fly  org.bosun.stage1.fly ")));
        assertTrue(session.describe(), session.stdout.contains("[]"));
        assertTrue("nothing after exit runs:\n" + session.describe(), !session.stdout.contains("bosun Version"));
        assertEquals(nosuch.stderr, session.stderr);
    }

    @Test
    public void withoutAnAgentTheShellSaysSoInOneLine() throws Exception {
        Path none = work.resolve("no-agent/agent.sock");
        BosunResult r = call(Mode.IN_PROCESS, work, null, List.of("env", "BOSUN_AGENT_SOCKET=" + none,
                fixture.bin.toString(), "shell", "-c", "bosun:list"));
        assertOneClearLine(r);
        assertTrue(r.describe(), r.stderr.startsWith("bosun shell: no bosun agent serves a shell at "
                + none.resolveSibling("shell.sock")) && r.stderr.contains("start one with 'bosun agent'"));
        assertEquals(6, r.exitCode);
    }
}
