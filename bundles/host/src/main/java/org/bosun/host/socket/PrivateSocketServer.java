package org.bosun.host.socket;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A unix socket server on a {@link PrivateSocketFile}: it listens, and hands each accepted
 * connection to {@code accept} on its own accepting thread (which should pass it to a worker at
 * once). Closing it stops accepting and removes the socket file.
 */
public final class PrivateSocketServer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private PrivateSocketServer(Path socket, ServerSocketChannel server, Consumer<SocketChannel> accept,
            String threadName) {
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(() -> acceptLoop(accept), threadName);
        acceptor.setDaemon(true);
    }

    /**
     * Listens on {@code socket} (mode 0600, see {@link PrivateSocketFile}); {@code refusal} is the
     * message of the IOException thrown when a server already answers there.
     */
    public static PrivateSocketServer listen(Path socket, String refusal, String threadName,
            Consumer<SocketChannel> accept) throws IOException {
        try (PrivateSocketFile file = PrivateSocketFile.prepare(socket, refusal)) {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(file.bindPath()));
                file.publish();
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
            PrivateSocketServer listening = new PrivateSocketServer(socket, server, accept, threadName);
            listening.acceptor.start();
            return listening;
        }
    }

    private void acceptLoop(Consumer<SocketChannel> accept) {
        while (server.isOpen()) {
            try {
                accept.accept(server.accept());
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    public Path path() {
        return socket;
    }

    /** Stops accepting (connections already accepted go on) and removes the socket file. */
    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
    }
}
