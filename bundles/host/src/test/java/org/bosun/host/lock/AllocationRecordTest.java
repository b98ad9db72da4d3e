package org.bosun.host.lock;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.host.files.Scratch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

public class AllocationRecordTest {
    /** A numbered slot per pod, written {@code SLOT POD}. */
    record Slot(int slot, String pod) {
    }

    private static final AllocationRecord.Format<Slot> SLOTS = new AllocationRecord.Format<>() {
        @Override
        public String pod(Slot entry) {
            return entry.pod();
        }

        @Override
        public String line(Slot entry) {
            return entry.slot() + " " + entry.pod();
        }

        @Override
        public Slot parse(String[] fields) {
            return new Slot(Integer.parseInt(fields[0]), fields[1]);
        }

        @Override
        public String shape() {
            return "SLOT POD";
        }
    };

    @Rule
    public final Scratch scratch = new Scratch();

    private Path file;
    private AllocationRecord<Slot> record;

    @Before
    public void layOut() {
        file = scratch.root().resolve("state/slots");
        record = new AllocationRecord<>(file, "the test slots", SLOTS);
    }

    /** The lowest free slot of at most {@code max}. */
    private static Function<List<Slot>, Slot> lowestFree(String pod, int max) {
        return taken -> {
            for (int s = 0; s < max; s++) {
                int slot = s;
                if (taken.stream().noneMatch(t -> t.slot() == slot)) {
                    return new Slot(slot, pod);
                }
            }
            throw BosunException.unavailable("all " + max + " slots are taken");
        };
    }

    @Test
    public void aPodKeepsItsEntryAndTwoPodsGetTheirOwn() throws Exception {
        Slot a = record.allocate("a", lowestFree("a", 10));
        Slot b = record.allocate("b", lowestFree("b", 10));
        assertEquals(new Slot(0, "a"), a);
        assertEquals(new Slot(1, "b"), b);
        assertEquals("asked again, the same", a, record.allocate("a", taken -> {
            throw new AssertionError("no pick for a pod that has an entry");
        }));
        assertEquals("0 a\n1 b\n", Files.readString(file));
        assertEquals(List.of(a, b), record.list());
    }

    @Test
    public void releaseFreesTheEntryForTheNextPodAndIsIdempotent() {
        record.allocate("a", lowestFree("a", 10));
        record.allocate("b", lowestFree("b", 10));
        record.release("a");
        record.release("a");
        assertEquals(new Slot(0, "c"), record.allocate("c", lowestFree("c", 10)));
    }

    @Test
    public void releaseWhereNothingWasEverRecordedMakesNoFiles() {
        record.release("a");
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    public void aRefusedPickLeavesTheRecordAsItWas() throws Exception {
        record.allocate("a", lowestFree("a", 1));
        BosunException e = assertThrows(BosunException.class, () -> record.allocate("b", lowestFree("b", 1)));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals("0 a\n", Files.readString(file));
    }

    @Test
    public void readsRecordsWrittenBeforeWithBlankLinesAndExtraSpaces() throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "3  old-pod\n\n  5 other \n");
        assertEquals(List.of(new Slot(3, "old-pod"), new Slot(5, "other")), record.list());
        assertEquals(new Slot(0, "new"), record.allocate("new", lowestFree("new", 10)));
    }

    @Test
    public void aLineThatIsNotAnEntryIsRefusedNamingFileAndLine() throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "0 a\nseven b\n");
        BosunException e = assertThrows(BosunException.class, () -> record.allocate("c", lowestFree("c", 10)));
        assertEquals(file + " has a line that is not 'SLOT POD': 'seven b'; fix or remove it (stop the pods first)",
                e.getMessage());
        assertEquals("0 a\nseven b\n", Files.readString(file));
    }

    @Test
    public void anotherProcessHoldingTheLockHoldsAllocationsBack() throws Exception {
        Files.createDirectories(file.getParent());
        CompletableFuture<Slot> waiting;
        try (LockHolder other = LockHolder.hold(file.resolveSibling("slots.lck"))) {
            waiting = CompletableFuture.supplyAsync(() -> record.allocate("a", lowestFree("a", 10)));
            assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
            assertFalse("nothing written while the other holds the lock", Files.exists(file));
        }
        assertEquals(new Slot(0, "a"), waiting.get(10, TimeUnit.SECONDS));
    }

    @Test
    public void concurrentPodsNeverGetTheSameEntry() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Slot>> all = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String pod = "pod-" + i;
                // One record object per pod, as every command has its own.
                AllocationRecord<Slot> mine = new AllocationRecord<>(file, "the test slots", SLOTS);
                all.add(CompletableFuture.supplyAsync(() -> mine.allocate(pod, lowestFree(pod, 100)), pool));
            }
            Set<Integer> slots = new HashSet<>();
            for (CompletableFuture<Slot> f : all) {
                assertTrue("a slot given twice", slots.add(f.get(30, TimeUnit.SECONDS).slot()));
            }
            assertEquals(24, record.list().size());
        } finally {
            pool.shutdownNow();
        }
    }
}
