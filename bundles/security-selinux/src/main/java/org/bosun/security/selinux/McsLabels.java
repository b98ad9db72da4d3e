package org.bosun.security.selinux;

import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;

import org.bosun.api.BosunException;
import org.bosun.host.lock.AllocationRecord;

/**
 * The MCS category pairs of pods ({@code c12,c345}), two distinct categories of {@code 0..1023} per
 * pod, no pair given to two pods, as rkt and container-selinux pick them: a pod's processes can then
 * touch only files of its own pair. The record is a host {@link AllocationRecord}, {@code cA,cB POD-UUID}
 * a line. Pairs are drawn at random, so one pod's label says nothing about the next one's.
 */
final class McsLabels {
    static final int CATEGORIES = 1024;

    /** One pod's pair, {@code low < high}. */
    record Pair(int low, int high, String pod) {
        String categories() {
            return "c" + low + ",c" + high;
        }
    }

    private static final AllocationRecord.Format<Pair> LINES = new AllocationRecord.Format<>() {
        @Override
        public String pod(Pair p) {
            return p.pod();
        }

        @Override
        public String line(Pair p) {
            return p.categories() + " " + p.pod();
        }

        @Override
        public Pair parse(String[] f) {
            String[] c = f[0].split(",");
            return new Pair(Integer.parseInt(c[0].substring(1)), Integer.parseInt(c[1].substring(1)), f[1]);
        }

        @Override
        public String shape() {
            return "cA,cB POD";
        }
    };

    private final Path file;
    private final RandomGenerator random;
    private final AllocationRecord<Pair> record;

    McsLabels(Path file, RandomGenerator random) {
        this.file = file;
        this.random = random;
        this.record = new AllocationRecord<>(file, "the SELinux labels", LINES);
    }

    /** The pod's pair: the one it has, or a free one, recorded. */
    Pair allocate(String pod) {
        return record.allocate(pod, pairs -> {
            long possible = (long) CATEGORIES * (CATEGORIES - 1) / 2;
            if (pairs.size() >= possible) {
                throw BosunException.unavailable("all " + possible + " SELinux category pairs in " + file
                        + " are taken; remove pods with bosun gc");
            }
            while (true) {
                int a = random.nextInt(CATEGORIES);
                int b = random.nextInt(CATEGORIES);
                if (a == b) {
                    continue;
                }
                Pair candidate = new Pair(Math.min(a, b), Math.max(a, b), pod);
                if (pairs.stream().noneMatch(p -> p.low() == candidate.low() && p.high() == candidate.high())) {
                    return candidate;
                }
            }
        });
    }

    /** Frees the pod's pair; nothing when it has none (no record at all: not even a lock file is made). */
    void release(String pod) {
        record.release(pod);
    }

    List<Pair> list() {
        return record.list();
    }
}
