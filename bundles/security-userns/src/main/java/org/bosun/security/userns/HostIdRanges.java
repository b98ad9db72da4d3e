package org.bosun.security.userns;

import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.host.lock.AllocationRecord;

/**
 * The host uid/gid ranges given to pods' user namespaces, one per pod, never two pods the same ids.
 * The record is a host {@link AllocationRecord}, one {@code HOSTID SIZE POD-UUID} line per range,
 * changed by one thread of one process at a time and replaced by a rename, so a killed command
 * leaves either record, never half of one.
 *
 * <p>Ranges are {@code size}-aligned slots from {@code first} on, at most {@code slots} of them; a
 * slot overlapping a range the host gave its users in {@code /etc/subuid} or {@code /etc/subgid}
 * is never used, so no host user's own containers share ids with a pod.
 */
final class HostIdRanges {
    /** One allocated range. */
    record Range(long hostId, long size, String pod) {
        boolean overlaps(long start, long count) {
            return start < hostId + size && hostId < start + count;
        }
    }

    private static final AllocationRecord.Format<Range> LINES = new AllocationRecord.Format<>() {
        @Override
        public String pod(Range r) {
            return r.pod();
        }

        @Override
        public String line(Range r) {
            return r.hostId() + " " + r.size() + " " + r.pod();
        }

        @Override
        public Range parse(String[] f) {
            return new Range(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]);
        }

        @Override
        public String shape() {
            return "HOSTID SIZE POD";
        }
    };

    private final Path file;
    private final long first;
    private final long size;
    private final long slots;
    private final List<long[]> reserved;
    private final AllocationRecord<Range> record;

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
        this.record = new AllocationRecord<>(file, "the user namespace ranges", LINES);
    }

    /** The range of {@code pod}: the one it already has, or the lowest free one, recorded. */
    Range allocate(String pod) {
        return record.allocate(pod, ranges -> {
            for (long slot = 0; slot < slots; slot++) {
                long start = first + slot * size;
                if (free(ranges, start)) {
                    return new Range(start, size, pod);
                }
            }
            throw BosunException.unavailable("all " + slots + " user namespace ranges of " + size + " host ids from "
                    + first + " are taken (" + file + "); remove pods with bosun gc, or allow more with the"
                    + " userns module's configuration (slots)");
        });
    }

    /** Frees {@code pod}'s range; nothing when it has none. */
    void release(String pod) {
        record.release(pod);
    }

    /** The recorded ranges, as they are now. */
    List<Range> list() {
        return record.list();
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
}
