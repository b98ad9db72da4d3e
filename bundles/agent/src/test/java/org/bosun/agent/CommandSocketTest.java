package org.bosun.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.annotation.Annotation;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.ErrorKind;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.command.protocol.Wire;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * The agent's socket without a command service, as between the old and the new cli bundle of an
 * update: it stays open and answers each command with the retryable unavailable error, in one line.
 * A real unix socket and the launcher's protocol; the caller must be root, as the agent requires.
 */
public class CommandSocketTest {
    private Path dir;
    private CommandSocket socket;

    @Before
    public void listen() throws Exception {
        Assume.assumeTrue("the agent serves root only", "root".equals(System.getProperty("user.name")));
        dir = Files.createTempDirectory("bosun-agent-test-");
        Path path = dir.resolve("run/agent.sock");
        socket = new CommandSocket(null, new CommandSocket.Config() {
            @Override
            public String socket() {
                return path.toString();
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return CommandSocket.Config.class;
            }
        });
    }

    @After
    public void close() throws Exception {
        if (socket != null) {
            socket.deactivate();
        }
        if (dir != null) {
            Files.deleteIfExists(dir.resolve("run/agent.sock"));
            Files.deleteIfExists(dir.resolve("run"));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    public void withoutACommandServiceEveryCommandIsUnavailableInOneLineAndTheSocketStaysOpen() throws Exception {
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Outcome outcome = call(out, err, "list");
            assertEquals(ErrorKind.UNAVAILABLE.exitCode(), outcome.exitCode());
            assertEquals("", out.toString(StandardCharsets.UTF_8));
            assertEquals("bosun: " + CommandSocket.NO_COMMAND_SERVICE + "\n", err.toString(StandardCharsets.UTF_8));
            assertTrue(CommandSocket.NO_COMMAND_SERVICE.endsWith("; try again"));
        }
        assertTrue("the socket is still there", Files.exists(dir.resolve("run/agent.sock")));
    }

    private Outcome call(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(dir.resolve("run/agent.sock")));
            return Wire.call(new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel))),
                    new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))),
                    new Invocation(List.of(args), Map.of(), "/", 0, 0, false, 0), out, err);
        }
    }
}
