package org.bosun.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import org.bosun.api.ErrorKind;
import org.bosun.command.protocol.CommandService;
import org.junit.After;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/**
 * DESIGN.md §1: bundles are swapped inside a running agent. The commands themselves live in the
 * cli bundle; updating it must not close the agent's socket: a client connected before the update
 * is answered by the new cli after it, the socket file is the same one all along, and while no cli
 * is started a command gets the unavailable error (exit 6, "try again") in one line.
 */
public class CliSwapIT extends PlatformCase {
    private static final String CLI_BSN = "org.bosun.cli";

    @After
    public void startTheCliAgain() throws Exception {
        Bundle cli = BundleUpdates.installed(context, CLI_BSN);
        if (cli.getState() != Bundle.ACTIVE) {
            cli.start();
        }
    }

    @Test
    public void theAgentSocketKeepsServingWhileTheCliBundleIsUpdated() throws Exception {
        Path socket = Path.of(context.getProperty(Platform.AGENT_SOCKET));
        String data = tmp.resolve("data").toString();
        Platform.awaitService(context, CommandService.class, null, 30);
        assertTrue("the agent listens on " + socket, Platform.eventually(30_000, () -> Files.exists(socket)));
        Object socketFile = Files.readAttributes(socket, BasicFileAttributes.class).fileKey();
        Platform.Run before = AgentSocketClient.call(socket, tmp, "--dir", data, "list", "--format=json");
        assertEquals("bosun list through the agent: " + before, 0, before.exitCode());

        Bundle cli = BundleUpdates.installed(context, CLI_BSN);
        Version oldVersion = cli.getVersion();
        try (AgentSocketClient early = AgentSocketClient.connect(socket)) {
            // 1. No cli bundle started: the socket still answers, with the retryable error in one line.
            cli.stop();
            Platform.Run stopped = AgentSocketClient.call(socket, tmp, "--dir", data, "list");
            assertEquals("bosun list without a cli bundle: " + stopped, ErrorKind.UNAVAILABLE.exitCode(),
                    stopped.exitCode());
            assertEquals("nothing on stdout: " + stopped, "", stopped.stdout());
            assertTrue("one line that says to try again: " + stopped, stopped.stderr().endsWith("; try again\n")
                    && stopped.stderr().lines().count() == 1 && stopped.stderr().startsWith("bosun: "));
            cli.start();

            // 2. The cli bundle is updated to a new version (and refreshed) under the listening socket.
            Version newVersion = new Version(oldVersion.getMajor(), oldVersion.getMinor(), oldVersion.getMicro() + 1,
                    "cliswap");
            cli.update(new ByteArrayInputStream(BundleUpdates.withVersion(cli, newVersion)));
            BundleUpdates.refresh(context, cli);
            assertEquals(newVersion, cli.getVersion());
            assertTrue("the updated cli serves commands within 30 s", Platform.eventually(30_000,
                    () -> commandServiceOf(newVersion)));

            // 3. The client that connected before all this is answered by the new cli.
            Platform.Run version = early.send(tmp, "--dir", data, "version");
            assertEquals("bosun version on a connection opened before the update: " + version, 0, version.exitCode());
            assertTrue("the new cli answered: " + version, version.stdout().startsWith("bosun Version: " + newVersion + "\n"));
        }

        // 4. The same socket file all along (a re-activated agent would have made a new one), still answering.
        assertEquals("the socket " + socket + " was never closed and made anew", socketFile,
                Files.readAttributes(socket, BasicFileAttributes.class).fileKey());
        Platform.Run after = AgentSocketClient.call(socket, tmp, "--dir", data, "list", "--format=json");
        assertEquals("bosun list through the agent after the update: " + after, 0, after.exitCode());
        assertTrue("an empty list: " + after, after.stdout().strip().matches("\\[\\s*\\]"));
    }

    private boolean commandServiceOf(Version version) {
        try {
            return context.getServiceReferences(CommandService.class, null).stream()
                    .anyMatch(ref -> ref.getBundle() != null && version.equals(ref.getBundle().getVersion()));
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
