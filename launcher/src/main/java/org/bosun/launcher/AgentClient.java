package org.bosun.launcher;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.command.protocol.Wire;

/** Hands a command to a running agent and relays its output as it comes. */
final class AgentClient {
    private AgentClient() {
    }

    /** Connects to the agent; returns the socket's descriptor, or -1 when no agent answers there. */
    static int connect(Path socket) {
        if (!Files.exists(socket)) {
            return -1;
        }
        Native.load();
        int fd = Native.connectUnix(socket.toString());
        return fd >= 0 ? fd : -1; // a stale socket file: the command runs in-process instead
    }

    static Outcome call(int fd, Invocation invocation, PrintStream stdout, PrintStream stderr) throws IOException {
        try {
            return Wire.call(new DataOutputStream(new BufferedOutputStream(new Native.FdOutputStream(fd))),
                    new DataInputStream(new BufferedInputStream(new Native.FdInputStream(fd))), invocation, stdout, stderr);
        } finally {
            Native.close(fd);
        }
    }
}
