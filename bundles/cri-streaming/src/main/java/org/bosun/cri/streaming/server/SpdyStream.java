package org.bosun.cri.streaming.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/** One SPDY stream: what the peer sends on it, as an InputStream; what is written to it, as DATA frames. */
final class SpdyStream {
    private static final int MAX_DATA = 32 * 1024;

    private final SpdyConnection connection;
    private final int id;
    private final Map<String, List<String>> headers;
    private final InboundPipe inbound = new InboundPipe();
    private final OutputStream outbound = new DataOutput();
    private boolean remoteDone;
    private boolean localDone;

    SpdyStream(SpdyConnection connection, int id, Map<String, List<String>> headers) {
        this.connection = connection;
        this.id = id;
        this.headers = headers;
    }

    int id() {
        return id;
    }

    /** The first value of a header (names are lower case on the wire), or null. */
    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    InputStream input() {
        return inbound;
    }

    /** Writing sends DATA frames; closing sends the FIN that ends this side of the stream. */
    OutputStream output() {
        return outbound;
    }

    void received(byte[] data, boolean fin) {
        inbound.offer(data);
        if (fin) {
            boolean both;
            synchronized (this) {
                if (remoteDone) {
                    return;
                }
                remoteDone = true;
                both = localDone;
            }
            inbound.finish();
            if (both) {
                connection.done(this);
            }
        }
    }

    void reset() {
        synchronized (this) {
            if (remoteDone) {
                localDone = true;
                return;
            }
            remoteDone = true;
            localDone = true;
        }
        inbound.finish();
    }

    private final class DataOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (SpdyStream.this) {
                if (localDone) {
                    throw new IOException("SPDY stream " + id + " is closed");
                }
            }
            for (int at = off; at < off + len; at += MAX_DATA) {
                int n = Math.min(MAX_DATA, off + len - at);
                byte[] chunk = new byte[n];
                System.arraycopy(b, at, chunk, 0, n);
                connection.send(new SpdyFrame.Data(id, false, chunk));
            }
        }

        @Override
        public void close() throws IOException {
            boolean both;
            synchronized (SpdyStream.this) {
                if (localDone) {
                    return;
                }
                localDone = true;
                both = remoteDone;
            }
            connection.send(new SpdyFrame.Data(id, true, new byte[0]));
            if (both) {
                connection.done(SpdyStream.this);
            }
        }
    }
}
