package org.bosun.cri.streaming.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One SPDY/3.1 session on a socket, either end: a reader thread dispatches the peer's frames to its
 * streams, and every write goes through one lock. A stream the peer opens is answered with an empty
 * SYN_REPLY and handed to the listener. Flow control is not enforced in either direction: the
 * Kubernetes peers (spdystream) neither send nor honour window updates.
 */
final class SpdyConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SpdyCodec codec = new SpdyCodec();
    private final Map<Integer, SpdyStream> streams = new ConcurrentHashMap<>();
    private final boolean server;
    private final Object writeLock = new Object();
    private volatile Consumer<SpdyStream> listener = s -> { };
    private volatile SocketEnd end;
    private int nextStreamId;
    private volatile boolean closed;

    SpdyConnection(Socket socket, InputStream in, boolean server) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(in, 16384));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16384);
        this.server = server;
        this.nextStreamId = server ? 2 : 1;
    }

    /** Starts reading; {@code listener} gets each stream the peer opens, on the reader thread (it must not block). */
    void start(String name, Consumer<SpdyStream> listener, Runnable onClose) {
        this.listener = listener;
        this.end = new SocketEnd(socket, onClose);
        Thread t = new Thread(this::readLoop, name);
        t.setDaemon(true);
        t.start();
    }

    /** Opens a stream to the peer with these headers. */
    SpdyStream open(Map<String, List<String>> headers) throws IOException {
        synchronized (writeLock) {
            int id = nextStreamId;
            nextStreamId += 2;
            SpdyStream s = new SpdyStream(this, id, headers);
            streams.put(id, s);
            send(new SpdyFrame.SynStream(id, 0, 0, false, false, headers));
            return s;
        }
    }

    void send(SpdyFrame frame) throws IOException {
        synchronized (writeLock) {
            if (closed) {
                throw new IOException("the SPDY connection is closed");
            }
            codec.write(out, frame);
            out.flush();
        }
    }

    private void readLoop() {
        try {
            SpdyFrame f;
            while ((f = codec.read(in)) != null) {
                if (!dispatch(f)) {
                    break;
                }
            }
        } catch (IOException e) {
            // the peer went away or spoke something else: the session ends either way
        } finally {
            close();
            end.close();
            codec.close();
        }
    }

    private boolean dispatch(SpdyFrame f) throws IOException {
        if (f instanceof SpdyFrame.Data d) {
            SpdyStream s = streams.get(d.streamId());
            if (s == null) {
                send(new SpdyFrame.RstStream(d.streamId(), SpdyFrame.RstStream.INVALID_STREAM));
                return true;
            }
            s.received(d.data(), d.fin());
        } else if (f instanceof SpdyFrame.SynStream syn) {
            SpdyStream s = new SpdyStream(this, syn.streamId(), syn.headers());
            if (streams.putIfAbsent(syn.streamId(), s) != null) {
                send(new SpdyFrame.RstStream(syn.streamId(), SpdyFrame.RstStream.PROTOCOL_ERROR));
                return true;
            }
            send(new SpdyFrame.SynReply(syn.streamId(), false, Map.of()));
            if (syn.fin()) {
                s.received(new byte[0], true);
            }
            listener.accept(s);
        } else if (f instanceof SpdyFrame.SynReply reply) {
            SpdyStream s = streams.get(reply.streamId());
            if (s != null && reply.fin()) {
                s.received(new byte[0], true);
            }
        } else if (f instanceof SpdyFrame.RstStream rst) {
            SpdyStream s = streams.remove(rst.streamId());
            if (s != null) {
                s.reset();
            }
        } else if (f instanceof SpdyFrame.Ping ping) {
            // Only the peer's own pings are answered (theirs are odd from a client, even from a server).
            boolean peers = ((ping.id() & 1) == 1) == server;
            if (peers) {
                send(ping);
            }
        } else if (f instanceof SpdyFrame.GoAway) {
            return false;
        }
        return true;
    }

    /** Forgets a stream both sides have finished with. */
    void done(SpdyStream s) {
        streams.remove(s.id(), s);
    }

    /** Says goodbye (GOAWAY) and half-closes the socket (see {@link SocketEnd}); every stream sees its end. */
    @Override
    public void close() {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            try {
                codec.write(out, new SpdyFrame.GoAway(0, 0));
                out.flush();
            } catch (IOException e) {
                // the socket is gone already
            }
            closed = true;
        }
        for (SpdyStream s : streams.values()) {
            s.reset();
        }
        streams.clear();
        if (end != null) {
            end.halfClose();
        }
    }

    boolean isClosed() {
        return closed;
    }
}
