package org.bosun.api.pod;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The reading of one app's output as its engine keeps it in the pod: {@code apps/NAME/log}, rotated to
 * {@code log.1} (newest) ... {@code log.5} (oldest). {@link #existing} gives what is kept, oldest file
 * first (optionally only the last lines); {@link #added} what was written since, across rotations (the
 * current file's identity survives its renaming, so the end of a file rotated away is read first);
 * {@link #rest} a last line the app has not ended. Each line is given with this reader's prefix.
 * One reader follows one app for one client; it is not thread-safe.
 *
 * @since 1.4
 */
public final class AppLog {
    /** The current file's name in {@code apps/NAME}; the rotated ones are {@code log.1} ... {@code log.5}. */
    public static final String LOG = "log";
    /** How many rotated files the engines keep. */
    public static final int ROTATED = 5;

    private final String app;
    private final String prefix;
    private final BiFunction<Path, IOException, RuntimeException> unreadable;
    /** The file being read (its identity survives the rename of a rotation), and how far. */
    private Object fileKey;
    private long position;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    /**
     * @param app the app's name
     * @param prefix put before each line (e.g. {@code "[NAME] "} when several apps are read, else empty)
     * @param unreadable the error to throw for a file that exists but cannot be read (a file that is
     *     not there is passed over: not written yet, or rotated away meanwhile)
     */
    public AppLog(String app, String prefix, BiFunction<Path, IOException, RuntimeException> unreadable) {
        this.app = Objects.requireNonNull(app, "app");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.unreadable = Objects.requireNonNull(unreadable, "unreadable");
    }

    /** The line prefix the readers of several apps at once use: {@code "[NAME] "}, or empty when one app is read. */
    public static String prefix(String app, int appsRead) {
        return appsRead > 1 ? "[" + app + "] " : "";
    }

    /**
     * What the app's files hold, oldest first: all complete lines, or the last {@code lastLines}
     * (null: all). An unended last line of the current file is kept back for {@link #added} or {@link #rest}.
     */
    public void existing(Path podDir, Integer lastLines, Consumer<String> out) {
        Path dir = podDir.resolve("apps").resolve(app);
        Deque<String> kept = new ArrayDeque<>();
        for (int i = ROTATED; i >= 0; i--) {
            Path file = dir.resolve(i == 0 ? LOG : LOG + "." + i);
            byte[] bytes;
            Object key;
            try {
                key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw unreadable.apply(file, e);
            }
            if (i == 0) {
                fileKey = key;
                position = bytes.length;
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            int start = 0;
            for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
                keep(kept, text.substring(start, nl), lastLines);
                start = nl + 1;
            }
            if (start < text.length()) {
                if (i == 0) {
                    partial.writeBytes(text.substring(start).getBytes(StandardCharsets.UTF_8));
                } else {
                    keep(kept, text.substring(start), lastLines);
                }
            }
        }
        for (String line : kept) {
            out.accept(prefix + line);
        }
    }

    private static void keep(Deque<String> kept, String line, Integer lastLines) {
        kept.addLast(line);
        if (lastLines != null && kept.size() > lastLines) {
            kept.removeFirst();
        }
    }

    /** The complete lines written since the last read; after a rotation, the end of the rotated file first. */
    public void added(Path podDir, Consumer<String> out) {
        Path dir = podDir.resolve("apps").resolve(app);
        Path current = dir.resolve(LOG);
        Object key = key(current);
        if (fileKey != null && !Objects.equals(key, fileKey)) {
            for (int i = 1; i <= ROTATED; i++) {
                Path rotated = dir.resolve(LOG + "." + i);
                if (Objects.equals(key(rotated), fileKey)) {
                    copyFrom(rotated, out);
                    break;
                }
            }
            fileKey = null;
            position = 0;
        }
        if (key != null) {
            fileKey = key;
            copyFrom(current, out);
        }
    }

    /** A last line the app has not ended (once it has exited), if any. */
    public void rest(Consumer<String> out) {
        if (partial.size() > 0) {
            out.accept(prefix + partial.toString(StandardCharsets.UTF_8));
            partial.reset();
        }
    }

    private void copyFrom(Path file, Consumer<String> out) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < position) {
                position = 0; // truncated
            }
            channel.position(position);
            try (InputStream in = Channels.newInputStream(channel)) {
                byte[] buf = new byte[8192];
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    position += n;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            out.accept(prefix + partial.toString(StandardCharsets.UTF_8));
                            partial.reset();
                        } else {
                            partial.write(buf[i]);
                        }
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // rotated away meanwhile: the next look finds it
        } catch (IOException e) {
            throw unreadable.apply(file, e);
        }
    }

    private static Object key(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
