package org.bosun.itest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.command.protocol.Wire;

/**
 * A client of the agent's socket speaking the command protocol of {@link Wire}, as the launcher
 * does: one connection per command, an invocation in, output frames and an outcome out.
 */
final class AgentSocketClient implements AutoCloseable {
    private final SocketChannel channel;

    private AgentSocketClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects now; the command follows with {@link #send}. */
    static AgentSocketClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new AgentSocketClient(channel);
    }

    /** One command over a new connection; at most 60 s. */
    static Platform.Run call(Path socket, Path cwd, String... args) throws Exception {
        try (AgentSocketClient client = connect(socket)) {
            return client.send(cwd, args);
        }
    }

    /** Sends {@code bosun ARGS} on this connection and reads the answer; at most 60 s. */
    Platform.Run send(Path cwd, String... args) throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            // Reads on a blocking SocketChannel are interruptible: shutdownNow() ends a hung call.
            return caller.submit(() -> sendNow(cwd, args)).get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the agent did not answer " + List.of(args) + " within 60 s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        } finally {
            caller.shutdownNow();
        }
    }

    private Platform.Run sendNow(Path cwd, String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            Outcome outcome = Wire.call(new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel))),
                    new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))),
                    new Invocation(List.of(args), System.getenv(), cwd.toString(), 0, 0, false, 0), out, err);
            return new Platform.Run(outcome, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e.getMessage() + "; stdout: " + out.toString(StandardCharsets.UTF_8)
                    + " stderr: " + err.toString(StandardCharsets.UTF_8), e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
