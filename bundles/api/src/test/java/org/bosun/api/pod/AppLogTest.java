package org.bosun.api.pod;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The reading of an app's rotated log files that {@code bosun logs} and the API service's GetLogs share. */
public class AppLogTest {
    private Path pod;
    private Path dir;
    private final List<String> lines = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        pod = Files.createTempDirectory("applog-test");
        dir = Files.createDirectories(pod.resolve("apps").resolve("web"));
    }

    @After
    public void tearDown() throws IOException {
        try (Stream<Path> all = Files.walk(pod)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private AppLog log(String prefix) {
        return new AppLog("web", prefix, (file, e) -> new IllegalStateException("cannot read " + file, e));
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private void append(String text) throws IOException {
        Files.writeString(dir.resolve("log"), text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Test
    public void theRotatedFilesComeOldestFirstAndAnUnendedLastLineWaitsForRest() throws IOException {
        write("log.5", "five\n");
        write("log.2", "two\nhalf-ended rotated");
        write("log.1", "one\n");
        write("log", "now\npartial");
        AppLog log = log("[web] ");
        log.existing(pod, null, lines::add);
        assertEquals(List.of("[web] five", "[web] two", "[web] half-ended rotated", "[web] one", "[web] now"), lines);
        lines.clear();
        log.rest(lines::add);
        assertEquals(List.of("[web] partial"), lines);
    }

    @Test
    public void lastLinesKeepsTheNewestAcrossFiles() throws IOException {
        write("log.1", "a\nb\nc\n");
        write("log", "d\n");
        log("").existing(pod, 2, lines::add);
        assertEquals(List.of("c", "d"), lines);
        lines.clear();
        log("").existing(pod, 0, lines::add);
        assertEquals(List.of(), lines);
    }

    @Test
    public void addedReadsTheEndOfARotatedFileBeforeTheNewOne() throws IOException {
        write("log", "first\nsec");
        AppLog log = log("");
        log.existing(pod, null, lines::add);
        assertEquals(List.of("first"), lines);
        lines.clear();
        append("ond\nthird\n");
        // the engine rotates: log becomes log.1, a new log starts
        Files.move(dir.resolve("log"), dir.resolve("log.1"));
        write("log", "fourth\nfif");
        log.added(pod, lines::add);
        assertEquals(List.of("second", "third", "fourth"), lines);
        lines.clear();
        log.added(pod, lines::add);
        assertEquals(List.of(), lines);
        append("th\n");
        log.added(pod, lines::add);
        assertEquals(List.of("fifth"), lines);
        lines.clear();
        log.rest(lines::add);
        assertEquals(List.of(), lines);
    }

    @Test
    public void aTruncatedFileIsReadFromItsStart() throws IOException {
        write("log", "a long first line\n");
        AppLog log = log("");
        log.existing(pod, null, lines::add);
        lines.clear();
        Files.write(dir.resolve("log"), "new\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
        log.added(pod, lines::add);
        assertEquals(List.of("new"), lines);
    }

    @Test
    public void noFilesIsNoLines() {
        AppLog log = log("");
        log.existing(pod, null, lines::add);
        log.added(pod, lines::add);
        log.rest(lines::add);
        assertEquals(List.of(), lines);
    }

    @Test
    public void anUnreadableFileIsTheCallersError() throws IOException {
        Files.createDirectory(dir.resolve("log")); // exists, but reading it fails
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> log("").existing(pod, null, lines::add));
        assertEquals("cannot read " + dir.resolve("log"), e.getMessage());
        assertTrue(e.getCause() instanceof IOException);
    }

    @Test
    public void thePrefixIsForSeveralApps() {
        assertEquals("", AppLog.prefix("web", 1));
        assertEquals("[web] ", AppLog.prefix("web", 2));
    }
}
