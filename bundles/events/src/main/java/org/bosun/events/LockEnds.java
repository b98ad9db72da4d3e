package org.bosun.events;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.bosun.api.BosunException;

/**
 * The ends of many running pods, told by one inotify instance and one thread, however many pods run:
 * a watch (not a descriptor) on each pod's {@code pod.lck} for {@code IN_CLOSE_WRITE}, which the
 * kernel reports when the last descriptor of a file description opened for writing is closed. Every
 * holder of a pod's lock opens it read-write (the launcher, which keeps it across its execve of the
 * engine, and the preparing command), so that event is the lock's release by the pod's last process;
 * the readers, which only probe the lock, open it read-only and wake nothing. An event says "read the
 * pod again", never "it ended": a command that opened the lock read-write and closed it wakes it too.
 * A watch follows its file through the pod directory's renames; when the file goes (gc), the kernel
 * drops the watch and that is reported too.
 */
final class LockEnds implements AutoCloseable {
    private static final int IN_CLOEXEC = 02000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int IN_CLOSE_WRITE = 0x8;
    private static final int IN_Q_OVERFLOW = 0x4000;
    private static final int IN_IGNORED = 0x8000;
    private static final short POLLIN = 1;
    private static final int EINTR = 4;
    private static final int EVENT_HEADER = 16;

    private final InotifyCalls libc = InotifyCalls.Holder.LIBC;
    private final int inotify;
    private final int[] wake = new int[2];
    private final Consumer<String> readAgain;
    private final Map<Integer, String> podsByWatch = new ConcurrentHashMap<>();
    private final Map<String, Integer> watchesByPod = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    /** Starts the thread; {@code readAgain} gets the pod's uuid on the thread at each event of its lock. */
    LockEnds(String name, Consumer<String> readAgain) {
        this.readAgain = readAgain;
        inotify = libc.inotify_init1(IN_CLOEXEC);
        if (inotify < 0) {
            throw BosunException.internal("inotify_init1 failed: errno " + errno(), null);
        }
        if (libc.pipe2(wake, O_CLOEXEC) != 0) {
            int e = errno();
            libc.close(inotify);
            throw BosunException.internal("pipe2 failed: errno " + e, null);
        }
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Watches {@code lock} for the pod {@code uuid} (again: a pod already watched keeps its watch).
     * False when it cannot be watched (it does not exist, or this user may not read it).
     */
    boolean watch(String uuid, Path lock) {
        if (watchesByPod.containsKey(uuid)) {
            return true;
        }
        int wd = libc.inotify_add_watch(inotify, lock.toString(), IN_CLOSE_WRITE);
        if (wd < 0) {
            return false;
        }
        podsByWatch.put(wd, uuid);
        watchesByPod.put(uuid, wd);
        return true;
    }

    /** Stops watching the pod's lock (its pod no longer runs); nothing if it was not watched. */
    void unwatch(String uuid) {
        Integer wd = watchesByPod.remove(uuid);
        if (wd != null) {
            podsByWatch.remove(wd);
            libc.inotify_rm_watch(inotify, wd);
        }
    }

    /** How many pods' locks are watched now. */
    int watched() {
        return watchesByPod.size();
    }

    private void loop() {
        byte[] buf = new byte[16 * 1024];
        // two struct pollfd { int fd; short events; short revents; }, little-endian (x86_64, aarch64)
        int[] fds = new int[4];
        try {
            while (!closed) {
                fds[0] = inotify;
                fds[1] = POLLIN;
                fds[2] = wake[0];
                fds[3] = POLLIN;
                int n = libc.poll(fds, 2, -1);
                if (closed) {
                    return;
                }
                if (n < 0) {
                    if (errno() == EINTR) {
                        continue;
                    }
                    System.err.println("bosun events: poll on the pods' locks failed: errno " + errno());
                    return;
                }
                if ((fds[1] >>> 16) == 0) {
                    continue;
                }
                long read = libc.read(inotify, buf, buf.length);
                if (read <= 0) {
                    continue;
                }
                dispatch(ByteBuffer.wrap(buf, 0, (int) read).order(ByteOrder.nativeOrder()));
            }
        } catch (RuntimeException e) {
            if (!closed) {
                System.err.println("bosun events: the watch of the pods' locks failed: " + e);
            }
        }
    }

    private void dispatch(ByteBuffer events) {
        while (events.remaining() >= EVENT_HEADER) {
            int wd = events.getInt();
            int mask = events.getInt();
            events.getInt(); // cookie
            int len = events.getInt();
            events.position(events.position() + len);
            if ((mask & IN_Q_OVERFLOW) != 0) {
                watchesByPod.keySet().forEach(readAgain);
                continue;
            }
            String uuid = podsByWatch.get(wd);
            if (uuid == null) {
                continue;
            }
            if ((mask & IN_IGNORED) != 0) {
                // the file is gone (or the watch was removed): no watch to remove any more
                podsByWatch.remove(wd);
                watchesByPod.remove(uuid, wd);
            }
            readAgain.accept(uuid);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        libc.write(wake[1], new byte[] {1}, 1);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        libc.close(wake[1]);
        libc.close(wake[0]);
        libc.close(inotify);
        podsByWatch.clear();
        watchesByPod.clear();
    }

    private static int errno() {
        return jnr.ffi.Runtime.getSystemRuntime().getLastError();
    }
}
