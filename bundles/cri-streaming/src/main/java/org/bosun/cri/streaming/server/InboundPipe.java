package org.bosun.cri.streaming.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The bytes a connection's reader received for one stream, read by the thread that consumes that
 * stream. The reader never blocks on it (neither SPDY peer of the Kubernetes tools sends window
 * updates, so nothing here could apply back-pressure without stalling the whole connection).
 */
final class InboundPipe extends InputStream {
    private static final byte[] END = new byte[0];

    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current;
    private int offset;
    private boolean ended;

    void offer(byte[] data) {
        if (data.length > 0) {
            chunks.add(data);
        }
    }

    /** No more data: readers see the end once they have read what came before. */
    void finish() {
        chunks.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (current == null || offset == current.length) {
            if (ended) {
                return -1;
            }
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for data");
            }
            offset = 0;
            if (current == END) {
                ended = true;
                current = null;
                return -1;
            }
        }
        int n = Math.min(len, current.length - offset);
        System.arraycopy(current, offset, b, off, n);
        offset += n;
        return n;
    }
}
