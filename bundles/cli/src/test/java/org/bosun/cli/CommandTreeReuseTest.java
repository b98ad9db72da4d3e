package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import picocli.CommandLine;

/** The agent reuses command trees; nothing of one invocation may reach the next. */
public class CommandTreeReuseTest {

    @Test
    public void aReusedTreeForgetsTheOptionsOfTheLastInvocation() {
        Session session = Sessions.inWork();
        CommandLine cli = RootCommand.commandLine(session);

        CommandLine.ParseResult first = cli.parseArgs("--dir", "/a", "--debug", "--insecure-options=image", "run",
                "--stage1-name=x", "--set-env=A=1", "--annotation=k=v", "img1", "--exec=/bin/true", "---", "img2");
        RunCommand run = (RunCommand) first.subcommand().commandSpec().userObject();
        assertEquals("x", run.pod.stage1Name);
        assertEquals(List.of("A=1"), run.pod.setEnv);
        assertEquals(List.of("img1", "--exec=/bin/true", "---", "img2"), run.pod.images);
        assertEquals("/a", session.global.paths().dataDir().toString());

        session.rebind(session.invocation, session.out, session.err, null, null);
        CommandLine.ParseResult second = cli.parseArgs("run", "img3");
        RunCommand again = (RunCommand) second.subcommand().commandSpec().userObject();
        assertNull(again.pod.stage1Name);
        assertEquals(List.of(), again.pod.setEnv);
        assertEquals(List.of(), again.pod.annotations);
        assertEquals(List.of("img3"), again.pod.images);
        assertFalse(session.global.debug);
        assertEquals("none", session.global.insecureOptions);
        assertEquals("/var/lib/bosun", session.global.paths().dataDir().toString());
    }

    @Test
    public void aReusedTreeForgetsTheFormatAndThePodOfTheLastStatus() {
        Session session = Sessions.inWork();
        CommandLine cli = RootCommand.commandLine(session);
        StatusCommand status = (StatusCommand) cli.parseArgs("status", "--format=json", "--wait=5s", "abc")
                .subcommand().commandSpec().userObject();
        assertEquals(OutputFormat.JSON, status.format);
        session.rebind(session.invocation, session.out, session.err, null, null);
        status = (StatusCommand) cli.parseArgs("status", "def").subcommand().commandSpec().userObject();
        assertEquals(OutputFormat.TABULAR, status.format);
        assertNull(status.wait);
        assertEquals(List.of("def"), status.uuid);
    }

    @Test
    public void aReusedFetchRefusesASignatureBeforeItsImage() {
        Session session = Sessions.inWork();
        CommandLine cli = RootCommand.commandLine(session);
        cli.parseArgs("fetch", "a.aci", "--signature=a.sig", "b.aci");
        session.rebind(session.invocation, session.out, session.err, null, null);
        CommandLine.ParameterException refused = assertThrows(CommandLine.ParameterException.class,
                () -> cli.parseArgs("fetch", "--signature=kept-elsewhere.sig", "c.aci"));
        assertTrue(refused.getMessage(), refused.getMessage().contains("comes before any image"));
        session.rebind(session.invocation, session.out, session.err, null, null);
        FetchCommand fetch = (FetchCommand) cli.parseArgs("fetch", "c.aci", "--signature=c.sig")
                .subcommand().commandSpec().userObject();
        assertEquals(List.of("c.aci"), fetch.images);
    }
}
