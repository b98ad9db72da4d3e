package org.bosun.events;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** The C library calls of inotify(7) and what waits on it. */
public interface InotifyCalls {
    int inotify_init1(int flags);

    int inotify_add_watch(int fd, String path, int mask);

    int inotify_rm_watch(int fd, int wd);

    int pipe2(@Out int[] fds, int flags);

    /** struct pollfd[] as ints: fd, then events in the low and revents in the high half. */
    int poll(@In @Out int[] fds, long nfds, int timeout);

    @ssize_t
    long read(int fd, @Out byte[] buf, @size_t long count);

    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long count);

    int close(int fd);

    /** The C library, loaded once. */
    final class Holder {
        static final InotifyCalls LIBC = LibraryLoader.create(InotifyCalls.class).load("c");

        private Holder() {
        }
    }
}
