package org.bosun.security.userns;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.bosun.api.BosunException;

/**
 * The host uid/gid ranges given to pods' user namespaces, one per pod, never two pods the same ids.
 * The record is a text file, one {@code HOSTID SIZE POD-UUID} line per range; every read-modify-write
 * happens under a lock on {@code FILE.lck}, held by one thread of one process at a time (a file lock
 * for the other bosun processes, a {@link ReentrantLock} for the other threads of this one, which a
 * file lock does not exclude), and the new record replaces the old one with a rename, so a killed
 * command leaves either record, never half of one.
 *
 * <p>Ranges are {@code size}-aligned slots from {@code first} on, at most {@code slots} of them; a
 * slot overlapping a range the host gave its users in {@code /etc/subuid} or {@code /etc/subgid}
 * is never used, so no host user's own containers share ids with a pod.
 */
final class HostIdRanges {
    private static final ReentrantLock THREADS = new ReentrantLock();

    /** One allocated range. */
    record Range(long hostId, long size, String pod) {
        boolean overlaps(long start, long count) {
            return start < hostId + size && hostId < start + count;
        }
    }

    private final Path file;
    private final long first;
    private final long size;
    private final long slots;
    private final List<long[]> reserved;

    /**
     * @param file the record
     * @param first the lowest host id to give
     * @param size ids per pod
     * @param slots how many ranges there may be
     * @param reserved host ranges never to give, {@code {start, count}}
     */
    HostIdRanges(Path file, long first, long size, long slots, List<long[]> reserved) {
        this.file = file;
        this.first = first;
        this.size = size;
        this.slots = slots;
        this.reserved = List.copyOf(reserved);
    }

    /** The range of {@code pod}: the one it already has, or the lowest free one, recorded. */
    Range allocate(String pod) {
        return locked(() -> {
            List<Range> ranges = read();
            for (Range r : ranges) {
                if (r.pod().equals(pod)) {
                    return r;
                }
            }
            for (long slot = 0; slot < slots; slot++) {
                long start = first + slot * size;
                if (free(ranges, start)) {
                    Range range = new Range(start, size, pod);
                    ranges.add(range);
                    write(ranges);
                    return range;
                }
            }
            throw BosunException.unavailable("all " + slots + " user namespace ranges of " + size + " host ids from "
                    + first + " are taken (" + file + "); remove pods with bosun gc, or allow more with the"
                    + " userns module's configuration (slots)");
        });
    }

    /** Frees {@code pod}'s range; nothing when it has none. */
    void release(String pod) {
        if (!Files.exists(file)) {
            return; // no pod ever had a range here: nothing to take, not even a lock file to make
        }
        locked(() -> {
            List<Range> ranges = read();
            if (ranges.removeIf(r -> r.pod().equals(pod))) {
                write(ranges);
            }
            return null;
        });
    }

    /** The recorded ranges, as they are now. */
    List<Range> list() {
        return locked(this::read);
    }

    private boolean free(List<Range> ranges, long start) {
        if (start + size - 1 > MAX_ID) {
            return false;
        }
        for (Range r : ranges) {
            if (r.overlaps(start, size)) {
                return false;
            }
        }
        for (long[] r : reserved) {
            if (start < r[0] + r[1] && r[0] < start + size) {
                return false;
            }
        }
        return true;
    }

    /** The highest id a user namespace may map: (uid_t) -1 is "no id". */
    static final long MAX_ID = 0xFFFF_FFFEL;

    private interface Action<T> {
        T run() throws IOException;
    }

    private <T> T locked(Action<T> action) {
        THREADS.lock();
        try {
            Files.createDirectories(file.getParent());
            Path lockFile = file.resolveSibling(file.getFileName() + ".lck");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return action.run();
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot update the user namespace ranges in " + file + ": " + e.getMessage(), e);
        } finally {
            THREADS.unlock();
        }
    }

    private List<Range> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        }
        List<Range> ranges = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            try {
                ranges.add(new Range(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]));
            } catch (RuntimeException e) {
                // Giving ids away again on a misread would put two pods in one range: refuse instead.
                throw BosunException.internal(file + " has a line that is not 'HOSTID SIZE POD': '" + line
                        + "'; fix or remove it (stop the pods first)", e);
            }
        }
        return ranges;
    }

    private void write(List<Range> ranges) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) {
            sb.append(r.hostId()).append(' ').append(r.size()).append(' ').append(r.pod()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
