package org.bosun.cri.streaming.server;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kubernetes channel protocol on a server-side WebSocket ({@code v4.channel.k8s.io},
 * {@code v5.channel.k8s.io}): every binary message starts with its channel's number. v5 adds the
 * CLOSE signal, a message on channel 255 whose second byte names the channel the client is done
 * writing to. Messages for a channel nobody reads are dropped.
 */
final class ChannelConnection implements AutoCloseable {
    static final int CLOSE_SIGNAL = 255;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final boolean closeSignals;
    private final Map<Integer, InboundPipe> readable = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private volatile boolean closed;
    private volatile SocketEnd end;

    ChannelConnection(Socket socket, InputStream in, boolean closeSignals) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(in, 16384));
        this.out = socket.getOutputStream();
        this.closeSignals = closeSignals;
    }

    /** What the client writes on {@code channel}; call before {@link #start}. */
    InputStream reader(int channel) {
        return readable.computeIfAbsent(channel, c -> new InboundPipe());
    }

    /** Writes on {@code channel}: each write is one message; closing does nothing (the session's end closes all). */
    OutputStream writer(int channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] message = new byte[len + 1];
                message[0] = (byte) channel;
                System.arraycopy(b, off, message, 1, len);
                send(WebSocketFrames.BINARY, message);
            }
        };
    }

    void send(int opcode, byte[] payload) throws IOException {
        synchronized (writeLock) {
            if (closed) {
                throw new IOException("the WebSocket connection is closed");
            }
            WebSocketFrames.write(out, opcode, payload, null);
            out.flush();
        }
    }

    void start(String name, Runnable onClose) {
        this.end = new SocketEnd(socket, onClose);
        Thread t = new Thread(this::readLoop, name);
        t.setDaemon(true);
        t.start();
    }

    private void readLoop() {
        try {
            WebSocketFrames.Message m;
            while ((m = WebSocketFrames.read(in)) != null) {
                switch (m.opcode()) {
                    case WebSocketFrames.PING -> send(WebSocketFrames.PONG, m.payload());
                    case WebSocketFrames.CLOSE -> {
                        return;
                    }
                    case WebSocketFrames.BINARY -> dispatch(m.payload());
                    default -> {
                        // text and pongs carry nothing for the binary channel protocols
                    }
                }
            }
        } catch (IOException e) {
            // the client went away: the session ends
        } finally {
            readable.values().forEach(InboundPipe::finish);
            close(1000, "");
            end.close();
        }
    }

    private void dispatch(byte[] message) {
        if (message.length == 0) {
            return;
        }
        int channel = message[0] & 0xff;
        if (channel == CLOSE_SIGNAL && closeSignals) {
            if (message.length > 1) {
                InboundPipe p = readable.get(message[1] & 0xff);
                if (p != null) {
                    p.finish();
                }
            }
            return;
        }
        InboundPipe p = readable.get(channel);
        if (p != null) {
            byte[] data = new byte[message.length - 1];
            System.arraycopy(message, 1, data, 0, data.length);
            p.offer(data);
        }
    }

    /** Sends a close frame and half-closes the socket (see {@link SocketEnd}). */
    void close(int code, String reason) {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            try {
                WebSocketFrames.write(out, WebSocketFrames.CLOSE, WebSocketFrames.closePayload(code, reason), null);
                out.flush();
            } catch (IOException e) {
                // the socket is gone already
            }
            closed = true;
        }
        if (end != null) {
            end.halfClose();
        }
    }

    @Override
    public void close() {
        close(1000, "");
    }
}
