package org.bosun.host.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.LongConsumer;

/**
 * A source read through on its way somewhere: every byte read from it, skipped ones included, is
 * written to {@code to} once, in order. So a fetch can check an archive with a tar reader while
 * the same bytes go into the archive's blob and digest, in one pass over a source that cannot be
 * read twice (a download). Closing it leaves the source open: it is its owner's.
 */
public final class PassingStream extends InputStream {
    private final InputStream source;
    private final OutputStream to;
    private final LongConsumer progress;
    private long count;

    /**
     * @param source what is read
     * @param to where every byte read goes
     * @param progress told how many bytes each read passed on
     */
    public PassingStream(InputStream source, OutputStream to, LongConsumer progress) {
        this.source = source;
        this.to = to;
        this.progress = progress;
    }

    /** How many bytes passed so far. */
    public long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = source.read(b, off, len);
        if (n > 0) {
            to.write(b, off, n);
            count += n;
            progress.accept(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Read, not skipped: the bytes must pass on all the same.
        return super.skip(n);
    }

    @Override
    public int available() throws IOException {
        return source.available();
    }

    @Override
    public void close() {
        // the source is its owner's to close
    }
}
