package org.bosun.cri.streaming.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Connects to 127.0.0.1:PORT inside a pod's network namespace, in this process: a fresh thread joins
 * the namespace (setns(2) moves the calling thread only), opens and connects the socket there, and
 * ends. A socket belongs to the namespace it was created in, so the rest of the JVM reads and writes
 * it as any other, and no thread of the JVM ever stays in a pod's namespace. With no namespace
 * (a pod on the host's network) the socket is the host's.
 */
final class PodDialer {
    private PodDialer() {
    }

    static SocketChannel connect(Path netns, int port) throws IOException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        if (netns == null) {
            return SocketChannel.open(address);
        }
        CompletableFuture<SocketChannel> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                LinuxCalls libc = LinuxCalls.libc();
                int fd = libc.open(netns.toString(), LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC);
                if (fd < 0) {
                    throw new IOException("cannot open the network namespace " + netns + ": errno " + LinuxCalls.errno());
                }
                int rc = libc.setns(fd, LinuxCalls.CLONE_NEWNET);
                int errno = LinuxCalls.errno();
                libc.close(fd);
                if (rc != 0) {
                    throw new IOException("cannot join the network namespace " + netns + ": errno " + errno);
                }
                result.complete(SocketChannel.open(address));
            } catch (IOException | RuntimeException | LinkageError e) {
                result.completeExceptionally(e);
            }
        }, "bosun-streaming-dial-" + port);
        t.setDaemon(true);
        t.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to port " + port, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
        }
    }
}
