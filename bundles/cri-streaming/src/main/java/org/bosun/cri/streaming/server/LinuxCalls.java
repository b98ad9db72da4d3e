package org.bosun.cri.streaming.server;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The C library calls the JDK lacks and jnr-posix does not offer: pseudo-terminals (and their window
 * size) and joining a network namespace from one thread.
 */
public interface LinuxCalls {
    int O_RDWR = 02;
    int O_NOCTTY = 0400;
    int O_RDONLY = 0;
    int O_CLOEXEC = 02000000;
    int CLONE_NEWNET = 0x40000000;
    long TIOCSWINSZ = 0x5414;

    int posix_openpt(int flags);

    int grantpt(int fd);

    int unlockpt(int fd);

    int ptsname_r(int fd, @Out byte[] buf, @size_t long length);

    /** ioctl with a pointer argument: here a struct winsize, four unsigned shorts. */
    int ioctl(int fd, long request, @In short[] arg);

    int open(String path, int flags);

    int close(int fd);

    int setns(int fd, int nstype);

    @ssize_t
    long read(int fd, @Out byte[] buf, @size_t long count);

    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long count);

    /** The C library, loaded once. */
    static LinuxCalls libc() {
        return Holder.LIBC;
    }

    /** errno of this thread's last call. */
    static int errno() {
        return jnr.ffi.Runtime.getSystemRuntime().getLastError();
    }

    final class Holder {
        static final LinuxCalls LIBC = LibraryLoader.create(LinuxCalls.class).load("c");

        private Holder() {
        }
    }
}
