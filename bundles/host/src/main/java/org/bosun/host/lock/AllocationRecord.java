package org.bosun.host.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import org.bosun.api.BosunException;

/**
 * What pods were given from a shared host resource (SELinux category pairs, user namespace id
 * ranges), one entry per pod, recorded in a text file of one line per entry with fields separated
 * by spaces. Every read-modify-write happens under an {@link Flock} on {@code FILE.lck}, held by one
 * thread of one process at a time, and the new record replaces the old one with a rename, so a
 * killed command leaves either record, never half of one.
 *
 * @param <T> an entry
 */
public final class AllocationRecord<T> {
    /** How entries are written as lines and read back. */
    public interface Format<T> {
        /** The pod {@code entry} was given to. */
        String pod(T entry);

        /** {@code entry} as one line (no line break), its fields separated by spaces. */
        String line(T entry);

        /** The entry of a line's fields; throws a RuntimeException when they are not one. */
        T parse(String[] fields);

        /** What a line looks like, for the error about one that does not: {@code HOSTID SIZE POD}. */
        String shape();
    }

    private final Path file;
    private final String what;
    private final Format<T> format;

    /**
     * @param file the record; its lock is {@code FILE.lck} beside it
     * @param what what it records, for errors: {@code the user namespace ranges}
     * @param format its lines
     */
    public AllocationRecord(Path file, String what, Format<T> format) {
        this.file = file;
        this.what = what;
        this.format = format;
    }

    /**
     * The entry of {@code pod}: the one it has, or the one {@code pick} chooses, recorded. {@code pick}
     * sees every recorded entry (none of them {@code pod}'s) and returns a new entry for {@code pod},
     * or throws when none is free, which leaves the record as it was.
     */
    public T allocate(String pod, Function<List<T>, T> pick) {
        return locked(() -> {
            List<T> entries = read();
            for (T e : entries) {
                if (format.pod(e).equals(pod)) {
                    return e;
                }
            }
            T picked = pick.apply(Collections.unmodifiableList(entries));
            if (!format.pod(picked).equals(pod)) {
                throw new IllegalArgumentException("picked " + format.line(picked) + " for pod " + pod);
            }
            List<T> changed = new ArrayList<>(entries);
            changed.add(picked);
            write(changed);
            return picked;
        });
    }

    /** Frees {@code pod}'s entry; nothing when it has none (no record at all: not even a lock file is made). */
    public void release(String pod) {
        if (!Files.exists(file)) {
            return;
        }
        locked(() -> {
            List<T> entries = read();
            if (entries.removeIf(e -> format.pod(e).equals(pod))) {
                write(entries);
            }
            return null;
        });
    }

    /** The recorded entries, as they are now. */
    public List<T> list() {
        return locked(this::read);
    }

    private <R> R locked(Supplier<R> action) {
        try {
            Files.createDirectories(file.getParent());
            try (Flock lock = Flock.exclusive(file.resolveSibling(file.getFileName() + ".lck"))) {
                return action.get();
            }
        } catch (IOException | UncheckedIOException e) {
            throw BosunException.internal("cannot update " + what + " in " + file + ": " + e.getMessage(), e);
        }
    }

    private List<T> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ArrayList<>();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        List<T> entries = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(format.parse(line.trim().split("\\s+")));
            } catch (RuntimeException e) {
                // Handing a resource out again on a misread would let two pods share it: refuse instead.
                throw BosunException.internal(file + " has a line that is not '" + format.shape() + "': '" + line
                        + "'; fix or remove it (stop the pods first)", e);
            }
        }
        return entries;
    }

    private void write(List<T> entries) {
        StringBuilder sb = new StringBuilder();
        for (T e : entries) {
            sb.append(format.line(e)).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
