package org.bosun.cri.streaming.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A pseudo-terminal: this process keeps the master (read, write, window size); the child gets the
 * slave by its path, opened by the child's own redirections.
 */
final class Pty implements AutoCloseable {
    private static final int EIO = 5;
    private static final int EINTR = 4;

    private final LinuxCalls libc = LinuxCalls.libc();
    private final int master;
    private final Path slave;
    /** Calls in progress on the master: it is closed once the last one returns (a read blocks until the slave's end). */
    private int users;
    private boolean closed;
    private boolean fdClosed;

    private Pty(int master, Path slave) {
        this.master = master;
        this.slave = slave;
    }

    static Pty open() throws IOException {
        LinuxCalls libc;
        try {
            libc = LinuxCalls.libc();
        } catch (LinkageError e) {
            throw new IOException("cannot reach the C library's terminal calls through jnr-ffi: " + e, e);
        }
        int fd = libc.posix_openpt(LinuxCalls.O_RDWR | LinuxCalls.O_NOCTTY | LinuxCalls.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open a pseudo-terminal: errno " + LinuxCalls.errno());
        }
        byte[] name = new byte[128];
        if (libc.grantpt(fd) != 0 || libc.unlockpt(fd) != 0 || libc.ptsname_r(fd, name, name.length) != 0) {
            int errno = LinuxCalls.errno();
            libc.close(fd);
            throw new IOException("cannot set up pseudo-terminal " + fd + ": errno " + errno);
        }
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new Pty(fd, Path.of(new String(name, 0, len, StandardCharsets.US_ASCII)));
    }

    Path slave() {
        return slave;
    }

    void resize(int columns, int rows) {
        if (acquire()) {
            try {
                libc.ioctl(master, LinuxCalls.TIOCSWINSZ, new short[] {(short) rows, (short) columns, 0, 0});
            } finally {
                release();
            }
        }
    }

    private synchronized boolean acquire() {
        if (closed) {
            return false;
        }
        users++;
        return true;
    }

    private synchronized void release() {
        users--;
        closeIfUnused();
    }

    private void closeIfUnused() {
        if (closed && users == 0 && !fdClosed) {
            fdClosed = true;
            libc.close(master);
        }
    }

    private long read(byte[] buf, int len) {
        if (!acquire()) {
            return 0;
        }
        try {
            return libc.read(master, buf, len);
        } finally {
            release();
        }
    }

    private long write(byte[] buf, int len) throws IOException {
        if (!acquire()) {
            throw new IOException("terminal " + slave + " is closed");
        }
        try {
            return libc.write(master, buf, len);
        } finally {
            release();
        }
    }

    /** What the terminal shows; its end comes when the last process holding the slave has closed it. */
    InputStream output() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                byte[] buf = off == 0 ? b : new byte[len];
                while (true) {
                    long n = Pty.this.read(buf, len);
                    if (n > 0) {
                        if (buf != b) {
                            System.arraycopy(buf, 0, b, off, (int) n);
                        }
                        return (int) n;
                    }
                    int errno = n < 0 ? LinuxCalls.errno() : 0;
                    if (n == 0 || errno == EIO) {
                        return -1;
                    }
                    if (errno != EINTR) {
                        throw new IOException("reading terminal " + slave + ": errno " + errno);
                    }
                }
            }
        };
    }

    /** What is typed into the terminal. */
    OutputStream input() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] buf = b;
                if (off != 0) {
                    buf = new byte[len];
                    System.arraycopy(b, off, buf, 0, len);
                }
                int done = 0;
                while (done < len) {
                    byte[] rest = done == 0 ? buf : java.util.Arrays.copyOfRange(buf, done, len);
                    long n = Pty.this.write(rest, len - done);
                    if (n < 0) {
                        int errno = LinuxCalls.errno();
                        if (errno != EINTR) {
                            throw new IOException("writing terminal " + slave + ": errno " + errno);
                        }
                    } else {
                        done += (int) n;
                    }
                }
            }

            /** A terminal has no end of input but the EOF character (^D), which the session sends. */
            @Override
            public void close() {
                // the master stays open until the session ends
            }
        };
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeIfUnused();
    }
}
