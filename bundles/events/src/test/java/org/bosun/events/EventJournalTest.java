package org.bosun.events;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventType;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EventJournalTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private static BosunEvent event(int i) {
        return new BosunEvent(EventType.POD_STARTED, Instant.ofEpochSecond(1_800_000_000L + i), "/d",
                String.format("00000000-0000-4000-8000-%012d", i), null, null, Map.of("n", Integer.toString(i)));
    }

    @Test
    public void readsBackWhatItWroteBetweenSinceAndUntil() throws Exception {
        EventJournal journal = new EventJournal(temp.getRoot().toPath(), EventJournal.DEFAULT_LIMIT);
        journal.append(List.of(event(1), event(2), event(3)));
        List<BosunEvent> read = journal.read(event(2).timestamp(), event(3).timestamp());
        assertEquals(List.of(event(2)), read);
        assertEquals(3, journal.read(null, null).size());
    }

    @Test
    public void staysBoundedByRotatingIntoOneOlderFile() throws Exception {
        Path data = temp.getRoot().toPath();
        EventJournal journal = new EventJournal(data, 1000);
        for (int i = 0; i < 200; i++) {
            journal.append(List.of(event(i)));
        }
        long total = Files.size(journal.current()) + Files.size(journal.rotated());
        assertTrue("two files of about the limit: " + total, total < 2 * 1000 + 400);
        List<BosunEvent> kept = journal.read(null, null);
        assertEquals("the newest is kept", event(199), kept.get(kept.size() - 1));
        for (int i = 1; i < kept.size(); i++) {
            assertTrue("oldest first", kept.get(i - 1).timestamp().isBefore(kept.get(i).timestamp()));
        }
    }

    @Test
    public void concurrentWritersLoseNoLine() throws Exception {
        EventJournal journal = new EventJournal(temp.getRoot().toPath(), 4000);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int base = w * 1000;
            writers.add(new Thread(() -> {
                for (int i = 0; i < 25; i++) {
                    journal.append(List.of(event(base + i)));
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        // Rotation may drop the oldest, never cut or interleave a line.
        List<String> lines = new ArrayList<>(Files.readAllLines(journal.current()));
        if (Files.exists(journal.rotated())) {
            lines.addAll(Files.readAllLines(journal.rotated()));
        }
        Set<String> pods = new HashSet<>();
        for (String line : lines) {
            BosunEvent e = EventJournal.parse(line);
            assertTrue("a whole event: " + line, e != null);
            pods.add(e.pod());
        }
        assertEquals(lines.size(), pods.size());
    }

    @Test
    public void aLineThatIsNoEventIsSkipped() {
        assertEquals(null, EventJournal.parse("{\"type\":\"pod\""));
        assertEquals(null, EventJournal.parse("{\"type\":\"pod\",\"status\":\"exploded\"}"));
        assertEquals(event(7), EventJournal.parse(EventJournal.line(event(7))));
    }
}
