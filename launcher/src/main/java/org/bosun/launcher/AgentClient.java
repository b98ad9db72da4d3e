package org.bosun.launcher;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.launch.Invocation;
import org.bosun.launch.Outcome;
import org.bosun.launch.Wire;

/** Hands a command to a running agent and relays its output as it comes. */
final class AgentClient {
    private AgentClient() {
    }

    /** Connects to the agent, or returns null when none listens on {@code socket}. */
    static SocketChannel connect(Path socket) {
        if (!Files.exists(socket)) {
            return null;
        }
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException e) {
            return null; // a stale socket file: run in-process instead
        }
    }

    static Outcome call(SocketChannel channel, Invocation invocation, PrintStream stdout, PrintStream stderr)
            throws IOException {
        try (channel) {
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            byte[] request = Wire.encode(invocation);
            Wire.writeFrame(out, Wire.INVOCATION, request, 0, request.length);
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            Wire.Frame frame;
            while ((frame = Wire.readFrame(in)) != null) {
                switch (frame.type()) {
                    case Wire.STDOUT -> {
                        stdout.write(frame.payload());
                        stdout.flush();
                    }
                    case Wire.STDERR -> {
                        stderr.write(frame.payload());
                        stderr.flush();
                    }
                    case Wire.OUTCOME -> {
                        return Wire.decodeOutcome(frame.payload());
                    }
                    default -> throw new IOException("unexpected frame type " + frame.type() + " from the agent");
                }
            }
            throw new IOException("the agent closed the connection before the command finished");
        }
    }
}
