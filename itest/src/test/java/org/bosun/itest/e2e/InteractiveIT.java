package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * issue 12 item 8: {@code --interactive} gives the app a real terminal on every engine when bosun
 * run's standard input is one (a pty of util-linux {@code script}), and one clear line, exit 125,
 * when it is not. Before, runc waited for input that never came, crun failed on tcgetattr, fly's
 * app found no terminal in its chroot, and nspawn without a terminal was killed.
 */
public class InteractiveIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final Duration PROMPT_TIMEOUT = Duration.ofSeconds(60);

    public InteractiveIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void ociWithRuncGivesATerminal() throws Exception {
        terminalOrOneLine("--stage1-name=oci", "--stage1-option=runtime=runc", "--net=none");
    }

    @Test
    public void ociWithCrunGivesATerminal() throws Exception {
        terminalOrOneLine("--stage1-name=oci", "--stage1-option=runtime=crun", "--net=none");
    }

    @Test
    public void nspawnGivesATerminal() throws Exception {
        terminalOrOneLine("--stage1-name=nspawn", "--net=none");
    }

    @Test
    public void flyGivesATerminal() throws Exception {
        terminalOrOneLine(FLY);
    }

    private void terminalOrOneLine(String... engine) throws Exception {
        List<String> run = new ArrayList<>(List.of("run", INSECURE));
        run.addAll(List.of(engine));
        run.addAll(List.of("--interactive", aci(), "--exec", "/bin/sh"));

        // On a terminal: the shell prompts, reads a line, and its exit code is bosun run's.
        BosunProcess onTerminal = start(mode, List.of("/usr/bin/script", "-qec", shellWords(bosunArgs(
                run.toArray(new String[0]))), "/dev/null"));
        onTerminal.awaitStdout("# ", PROMPT_TIMEOUT);
        onTerminal.writeStdin("tty; echo h''i; exit 3\r");
        BosunResult r = onTerminal.await(CALL_TIMEOUT);
        assertExit(3, r);
        assertTrue("the app's tty is a pty:\n" + r.describe(), r.stdout.contains("/dev/pts/"));
        assertTrue("the app read its input:\n" + r.describe(), r.stdout.contains("hi\r\n"));

        // Without one: one line saying so, no hang and no runtime's own words.
        BosunResult none = bosun(run.toArray(new String[0]));
        assertExit(125, none);
        assertOneClearLine(none);
        assertContains("says why", "--interactive needs a terminal on standard input", none);
        assertEquals(none.describe(), "", none.stdout);
    }

    /** The words of a command as one sh command line (script -c takes one). */
    static String shellWords(List<String> words) {
        List<String> quoted = new ArrayList<>();
        for (String w : words) {
            quoted.add("'" + w.replace("'", "'\\''") + "'");
        }
        return String.join(" ", quoted);
    }
}
