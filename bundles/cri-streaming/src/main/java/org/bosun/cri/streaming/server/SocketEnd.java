package org.bosun.cri.streaming.server;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The end of an upgraded connection. This end's last frame (GOAWAY, a WebSocket close) is followed by
 * a half-close, and the socket is closed once the peer has closed its side, or after a grace
 * period: closing at once, with the peer's bytes still unread, would make the kernel reset the
 * connection, and the peer could lose the last frames (the exit status) before reading them.
 */
final class SocketEnd {
    static final long GRACE_MILLIS = 5000;

    private final Socket socket;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean halfClosed = new AtomicBoolean();

    SocketEnd(Socket socket, Runnable onClose) {
        this.socket = socket;
        this.onClose = onClose;
    }

    /** This end has written its last frame. */
    void halfClose() {
        if (!halfClosed.compareAndSet(false, true)) {
            return;
        }
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(GRACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }, "bosun-streaming-linger");
        t.setDaemon(true);
        t.start();
    }

    /** The peer is gone (or the grace period is over). */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more to release
        }
        onClose.run();
    }
}
