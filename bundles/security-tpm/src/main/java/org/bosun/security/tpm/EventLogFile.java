package org.bosun.security.tpm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.host.lock.Flock;
import org.bosun.security.tpm.TcgEventLog.Bank;

/**
 * The event log of one data directory, {@code tpm/eventlog}, and its lock {@code tpm/eventlog.lock}.
 * Whoever extends the PCR holds the lock from the extend until its event is in the file, so the
 * order of events in the log is the order of extends in the TPM. A new log is written whole to a
 * temporary file and renamed into place; events are appended with one write each and synced.
 */
final class EventLogFile {
    static final String DIRECTORY = "tpm";
    static final String FILE = "eventlog";

    private final Path file;

    EventLogFile(Path dataDir) {
        this.file = dataDir.resolve(DIRECTORY).resolve(FILE);
    }

    Path path() {
        return file;
    }

    /** The log's bytes, or null when there is none yet. */
    byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BosunException.unavailable("cannot read the TPM event log " + file + ": " + e.getMessage());
        }
    }

    /** The header of the current log, or null when there is none (or it is not a log). */
    TcgEventLog.Header header() {
        byte[] bytes = read();
        if (bytes == null) {
            return null;
        }
        try {
            return TcgEventLog.parse(bytes, file.toString()).header();
        } catch (BosunException e) {
            return null;
        }
    }

    /** Runs {@code work} holding the log's flock, against other threads and other processes alike. */
    <R> R locked(Supplier<R> work) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw BosunException.unavailable("cannot lock the TPM event log " + file + ": " + e.getMessage());
        }
        try (Flock held = Flock.exclusive(file.resolveSibling(FILE + ".lock"))) {
            return work.get();
        }
    }

    /**
     * Makes the log start with {@code header}: a log with another header (another TPM, or the same
     * one since reset) is kept as {@code eventlog.N} and a new one begun. Caller holds the lock.
     */
    void begin(TcgEventLog.Header header) {
        TcgEventLog.Header current = header();
        if (current != null && current.equals(header)) {
            return;
        }
        try {
            if (Files.exists(file)) {
                Path old;
                int n = 1;
                do {
                    old = file.resolveSibling(FILE + "." + n++);
                } while (Files.exists(old));
                Files.move(file, old);
            }
            Path temp = file.resolveSibling(FILE + ".new");
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, TcgEventLog.encodeHeader(header));
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot start the TPM event log " + file + ": " + e.getMessage());
        }
    }

    /** Appends one event with a digest for each of {@code banks}. Caller holds the lock. */
    void append(TcgEventLog.Event event, List<Bank> banks) {
        byte[] bytes = TcgEventLog.encode(event, banks);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            writeFully(out, bytes);
            out.force(false);
        } catch (IOException e) {
            throw BosunException.unavailable("the TPM was extended but its event log " + file + " could not be"
                    + " written (" + e.getMessage() + "); the log no longer replays to the PCR until the TPM is reset");
        }
    }

    private static void writeFully(FileChannel out, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
