package org.bosun.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.launch.Invocation;
import org.bosun.launch.Outcome;
import org.bosun.launch.Wire;

/**
 * The install script makes a class data sharing archive from one training run of the launcher,
 * which boots the framework in-process. This also walks the agent client's path (a unix socket
 * round trip with the real codec) so that its classes, the ones every agent-served command needs,
 * are in the archive too.
 */
final class CdsTraining {
    private CdsTraining() {
    }

    static void exerciseAgentClient(Invocation invocation) throws IOException {
        Path dir = Files.createTempDirectory("bosun-cds");
        Path socket = dir.resolve("train.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread agent = new Thread(() -> answer(server), "bosun-cds-training");
            agent.start();
            int fd = AgentClient.connect(socket);
            if (fd >= 0) {
                PrintStream sink = new PrintStream(new ByteArrayOutputStream());
                AgentClient.call(fd, invocation, sink, sink);
            }
            agent.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static void answer(ServerSocketChannel server) {
        try (SocketChannel client = server.accept()) {
            var in = new java.io.DataInputStream(Channels.newInputStream(client));
            var out = new java.io.DataOutputStream(Channels.newOutputStream(client));
            Wire.readFrame(in);
            byte[] text = "training\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Wire.writeFrame(out, Wire.STDOUT, text, 0, text.length);
            byte[] outcome = Wire.encode(Outcome.exit(0));
            Wire.writeFrame(out, Wire.OUTCOME, outcome, 0, outcome.length);
        } catch (IOException ignored) {
            // training only
        }
    }
}
