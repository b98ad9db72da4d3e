package org.bosun.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The launcher's system calls, in {@code lib/libbosun-launcher.so} (src/main/c). Negative results
 * are {@code -errno}.
 */
final class Native {
    private static boolean loaded;

    private Native() {
    }

    static synchronized void load() {
        if (!loaded) {
            System.load(System.getProperty("bosun.home") + "/lib/libbosun-launcher.so");
            loaded = true;
        }
    }

    static native int connectUnix(String path);

    static native int read(int fd, byte[] buf, int off, int len);

    static native int write(int fd, byte[] buf, int off, int len);

    static native void close(int fd);

    static native int lockExclusive(String path);

    static native int exec(String cwd, String[] argv, String[] envp, int keepFd);

    static native String strerror(int errno);

    /** Creates {@code path} (mode 0600) if needed and waits for an exclusive lock; closing the descriptor releases it. */
    static native int lockWait(String path);

    /**
     * Starts {@code argv} detached (double fork, a session of its own, stdin /dev/null, stdout and
     * stderr to {@code log}); returns its pid, or -errno.
     */
    static native int spawnDetached(String cwd, String[] argv, String[] envp, String log);

    /** Reads from a descriptor. */
    static final class FdInputStream extends InputStream {
        private final int fd;

        FdInputStream(int fd) {
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = Native.read(fd, b, off, len);
            if (n < 0) {
                throw new IOException(strerror(-n));
            }
            return n == 0 ? -1 : n;
        }
    }

    /** Writes to a descriptor. */
    static final class FdOutputStream extends OutputStream {
        private final int fd;

        FdOutputStream(int fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = Native.write(fd, b, off, len);
            if (n < 0) {
                throw new IOException(strerror(-n));
            }
        }
    }
}
