package org.bosun.cri.streaming.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One forwarded connection, whatever carries it: the client's data to a port inside the pod, the
 * port's answers back; a failure to connect is one line on the error stream.
 */
final class PortForwarding {
    private PortForwarding() {
    }

    /**
     * Forwards until the port's side ends (what the client still sends then has no reader, as with
     * kubelet's own runtimes); closes {@code toClient} and {@code error} at the end.
     */
    static void forward(String pod, Path netns, List<Integer> allowed, int port, InputStream fromClient,
            OutputStream toClient, OutputStream error) {
        try {
            if (!allowed.isEmpty() && !allowed.contains(port)) {
                throw new IOException("port " + port + " was not asked for in the PortForward request of pod " + pod
                        + " (only " + allowed + ")");
            }
            try (SocketChannel socket = PodDialer.connect(netns, port)) {
                // The socket's own streams, not Channels.newInputStream/newOutputStream: on JDK 17
                // those hold the channel's blocking lock while they block, so a read waiting for
                // the port's answer kept the client's request from ever being written.
                InputStream fromPort = socket.socket().getInputStream();
                OutputStream toPort = socket.socket().getOutputStream();
                RemoteCommand.daemon("bosun-portforward-" + port + "-up", () -> {
                    try {
                        fromClient.transferTo(toPort);
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        // either side went away
                    }
                });
                RemoteCommand.copy(fromPort, toClient);
            }
        } catch (IOException e) {
            try {
                error.write(("error forwarding port " + port + " to pod " + pod + ": " + e.getMessage())
                        .getBytes(StandardCharsets.UTF_8));
            } catch (IOException gone) {
                // the client is gone too
            }
        } finally {
            RemoteCommand.closeQuietly(toClient);
            RemoteCommand.closeQuietly(error);
        }
    }
}
