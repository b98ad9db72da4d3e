package org.bosun.security.selinux;

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
import java.util.random.RandomGenerator;
import java.util.concurrent.locks.ReentrantLock;

import org.bosun.api.BosunException;

/**
 * The MCS category pairs of pods ({@code c12,c345}), two distinct categories of {@code 0..1023} per
 * pod, no pair given to two pods, as rkt and container-selinux pick them: a pod's processes can then
 * touch only files of its own pair. The record is a text file, {@code cA,cB POD-UUID} a line,
 * changed under a lock on {@code FILE.lck} (a file lock for other processes, a {@link ReentrantLock}
 * for this one's threads) and replaced by a rename. Pairs are drawn at random, so one pod's label
 * says nothing about the next one's.
 */
final class McsLabels {
    static final int CATEGORIES = 1024;
    private static final ReentrantLock THREADS = new ReentrantLock();

    /** One pod's pair, {@code low < high}. */
    record Pair(int low, int high, String pod) {
        String categories() {
            return "c" + low + ",c" + high;
        }
    }

    private final Path file;
    private final RandomGenerator random;

    McsLabels(Path file, RandomGenerator random) {
        this.file = file;
        this.random = random;
    }

    /** The pod's pair: the one it has, or a free one, recorded. */
    Pair allocate(String pod) {
        return locked(() -> {
            List<Pair> pairs = read();
            for (Pair p : pairs) {
                if (p.pod().equals(pod)) {
                    return p;
                }
            }
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
                    pairs.add(candidate);
                    write(pairs);
                    return candidate;
                }
            }
        });
    }

    /** Frees the pod's pair; nothing when it has none (no record at all: not even a lock file is made). */
    void release(String pod) {
        if (!Files.exists(file)) {
            return;
        }
        locked(() -> {
            List<Pair> pairs = read();
            if (pairs.removeIf(p -> p.pod().equals(pod))) {
                write(pairs);
            }
            return null;
        });
    }

    List<Pair> list() {
        return locked(this::read);
    }

    private interface Action<T> {
        T run() throws IOException;
    }

    private <T> T locked(Action<T> action) {
        THREADS.lock();
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(file.resolveSibling(file.getFileName() + ".lck"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                return action.run();
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot update the SELinux labels in " + file + ": " + e.getMessage(), e);
        } finally {
            THREADS.unlock();
        }
    }

    private List<Pair> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        }
        List<Pair> pairs = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                String[] f = line.trim().split("\\s+");
                String[] c = f[0].split(",");
                pairs.add(new Pair(Integer.parseInt(c[0].substring(1)), Integer.parseInt(c[1].substring(1)), f[1]));
            } catch (RuntimeException e) {
                // Handing a pair out twice would let two pods touch each other's files: refuse instead.
                throw BosunException.internal(file + " has a line that is not 'cA,cB POD': '" + line
                        + "'; fix or remove it (stop the pods first)", e);
            }
        }
        return pairs;
    }

    private void write(List<Pair> pairs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            sb.append(p.categories()).append(' ').append(p.pod()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
