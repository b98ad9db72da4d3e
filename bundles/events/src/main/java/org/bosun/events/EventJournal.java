package org.bosun.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventType;
import org.bosun.host.lock.Flock;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The events of one data directory, kept in {@code events/journal} (one JSON object a line, as
 * {@code bosun events --format=json} prints them) and, once that passes {@link #limit} bytes, moved
 * whole to {@code events/journal.1}, replacing the older one: at most two files, about twice the
 * limit. Appends and the rotation are made under the flock {@code events/journal.lck}, so any
 * number of processes may write and read it.
 */
final class EventJournal {
    static final long DEFAULT_LIMIT = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final Path dir;
    private final long limit;

    EventJournal(Path dataDir, long limit) {
        this.dir = dataDir.resolve("events");
        this.limit = limit;
    }

    Path current() {
        return dir.resolve("journal");
    }

    Path rotated() {
        return dir.resolve("journal.1");
    }

    /** The file whose flock elects the one watcher of the directory that journals. */
    Path writerLock() {
        return dir.resolve("writer.lck");
    }

    void append(List<BosunEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (BosunEvent e : events) {
            lines.append(line(e)).append('\n');
        }
        try {
            Files.createDirectories(dir);
            Path lockFile = dir.resolve("journal.lck");
            if (!Files.exists(lockFile)) {
                try {
                    // readable by all, as the journal is: a reader of another user (the API service run as
                    // --user) takes it shared through a read-only descriptor
                    Files.createFile(lockFile, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-r--r--")));
                } catch (FileAlreadyExistsException raced) {
                    // made by another writer meanwhile
                }
            }
            try (Flock lock = Flock.exclusive(lockFile)) {
                Path current = current();
                if (Files.exists(current) && Files.size(current) >= limit) {
                    Files.move(current, rotated(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.writeString(current, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot write the event journal in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The journaled events with {@code since <= timestamp < until} (null: unbounded), oldest first. */
    List<BosunEvent> read(Instant since, Instant until) {
        List<BosunEvent> events = new ArrayList<>();
        if (!Files.exists(dir.resolve("journal.lck"))) {
            // nothing journaled yet (the lock is made before the journal)
            return events;
        }
        try (Flock lock = Flock.shared(dir.resolve("journal.lck"))) {
            for (Path file : List.of(rotated(), current())) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (NoSuchFileException e) {
                    continue;
                }
                for (String line : lines) {
                    BosunEvent e = parse(line);
                    if (e != null && (since == null || !e.timestamp().isBefore(since))
                            && (until == null || e.timestamp().isBefore(until))) {
                        events.add(e);
                    }
                }
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot read the event journal in " + dir + ": " + e.getMessage(), e);
        }
        return events;
    }

    static String line(BosunEvent e) {
        try {
            return JSON.writeValueAsString(e.toProperties());
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** The event of a journal line; null for a line that is not one (a line cut short by a full disk). */
    static BosunEvent parse(String line) {
        try {
            Map<String, Object> p = JSON.readValue(line, MAP);
            EventType type = EventType.of(str(p.get(BosunEvent.KIND)), str(p.get(BosunEvent.STATUS)));
            return type == null ? null : BosunEvent.of(type, p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
