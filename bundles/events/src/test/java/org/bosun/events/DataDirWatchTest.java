package org.bosun.events;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.bosun.api.RuntimePaths;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventType;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.bosun.host.lock.LockHolder;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The watch on real directories: real file changes and a real lock held and released by another
 * process wake it. The pods' states are what the test says they are (core reads them in the
 * platform); what is checked here is that the right pod is read, soon enough, and what follows.
 */
public class DataDirWatchTest {
    static final String UUID = "6f1b2c3d-0000-4000-8000-00000000000a";
    /** The bound from a change on disk to its event; the watch itself settles 3 ms. */
    static final long WITHIN_MILLIS = 100;

    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    private RuntimePaths paths;
    private final Map<String, PodInfo> pods = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<BosunEvent> published = new LinkedBlockingQueue<>();
    private final List<DataDirWatch> watches = new ArrayList<>();
    private volatile boolean imagesFail;
    private final java.util.concurrent.atomic.AtomicInteger podReads = new java.util.concurrent.atomic.AtomicInteger();

    @Before
    public void layout() throws Exception {
        Path data = temp.newFolder("data").toPath();
        paths = new RuntimePaths(data, data.resolve("etc"), data.resolve("lib"));
        for (String d : List.of("embryo", "prepare", "prepared", "run", "exited-garbage", "garbage")) {
            Files.createDirectories(paths.podsDir().resolve(d));
        }
    }

    @After
    public void close() {
        watches.forEach(DataDirWatch::close);
    }

    private DataDirWatch watch() {
        DataDirWatch w = new DataDirWatch(paths, new DataDirWatch.Source() {
            @Override
            public List<PodInfo> pods(RuntimePaths p) {
                return List.copyOf(pods.values());
            }

            @Override
            public Optional<PodInfo> pod(RuntimePaths p, String uuid) {
                podReads.incrementAndGet();
                return Optional.ofNullable(pods.get(uuid));
            }

            @Override
            public Optional<List<StoredImage>> images(RuntimePaths p) {
                if (imagesFail) {
                    throw new IllegalStateException("cannot open the lock file cas/index.lck: Permission denied");
                }
                return Optional.empty();
            }
        }, published::addAll, new EventJournal(paths.dataDir(), EventJournal.DEFAULT_LIMIT), Clock.systemUTC());
        watches.add(w);
        return w;
    }

    private PodInfo pod(PodState state, Path dir, AppInfo... apps) {
        Instant t = Instant.parse("2026-12-07T00:00:00Z");
        return new PodInfo(UUID, state, List.of(apps), t, state == PodState.PREPARED ? null : t.plusSeconds(1), 0,
                null, Map.of(), dir, List.of(), null, null, null);
    }

    private static AppInfo app(AppState state, Integer exitCode) {
        return new AppInfo("a", "example.com/a", "sha512-aa", List.of("/a"), exitCode, state,
                Instant.parse("2026-12-07T00:00:02Z"), null, null);
    }

    private BosunEvent next(long millis) throws InterruptedException {
        return published.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Test
    public void aPodDirectoryAppearingInRunIsReadAndItsStepsPublishedWithin100Ms() throws Exception {
        watch();
        Path dir = paths.podsDir().resolve("run").resolve(UUID);
        pods.put(UUID, pod(PodState.RUNNING, dir));
        long t0 = System.nanoTime();
        Files.createDirectory(dir);
        BosunEvent prepared = next(WITHIN_MILLIS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(EventType.POD_PREPARED, prepared == null ? null : prepared.type());
        assertTrue("published after " + ms + " ms", ms <= WITHIN_MILLIS);
        BosunEvent started = next(WITHIN_MILLIS);
        assertEquals(EventType.POD_STARTED, started.type());
        assertEquals(UUID, started.pod());
        assertEquals(paths.dataDir().toString(), started.dataDir());
    }

    @Test
    public void theEndOfARunningPodIsNoticedFromItsLockAloneWithNoFileChanged() throws Exception {
        Path dir = Files.createDirectories(paths.podsDir().resolve("run").resolve(UUID));
        try (LockHolder holder = LockHolder.hold(dir.resolve("pod.lck"))) {
            pods.put(UUID, pod(PodState.RUNNING, dir));
            watch();
            Thread.sleep(200);
            assertEquals("a running pod seen at the start is no event", null, next(0));
            pods.put(UUID, pod(PodState.EXITED, dir));
            holder.close();
            long t0 = System.nanoTime();
            BosunEvent exited = next(WITHIN_MILLIS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(EventType.POD_EXITED, exited == null ? null : exited.type());
            assertTrue("noticed after " + ms + " ms", ms <= WITHIN_MILLIS);
        }
    }

    @Test
    public void anAppStatusWrittenInARunningPodIsItsExitWithTheCode() throws Exception {
        Path dir = Files.createDirectories(paths.podsDir().resolve("run").resolve(UUID));
        Path appDir = Files.createDirectories(dir.resolve("apps/a"));
        try (LockHolder holder = LockHolder.hold(dir.resolve("pod.lck"))) {
            pods.put(UUID, pod(PodState.RUNNING, dir, app(AppState.RUNNING, null)));
            watch();
            pods.put(UUID, pod(PodState.RUNNING, dir, app(AppState.EXITED, 3)));
            Files.writeString(appDir.resolve("status"), "3");
            BosunEvent exited = next(WITHIN_MILLIS);
            assertEquals(EventType.APP_EXITED, exited == null ? null : exited.type());
            assertEquals("a", exited.app());
            assertEquals("3", exited.attributes().get(BosunEvent.EXIT_CODE));
            assertEquals("sha512-aa", exited.image());
        }
    }

    @Test
    public void anAppAddedToAPreparedPodIsAdded() throws Exception {
        Path dir = Files.createDirectories(paths.podsDir().resolve("prepared").resolve(UUID));
        Files.createDirectories(dir.resolve("apps"));
        pods.put(UUID, pod(PodState.PREPARED, dir));
        watch();
        pods.put(UUID, pod(PodState.PREPARED, dir, app(AppState.PREPARED, null)));
        Files.createDirectories(dir.resolve("apps/a"));
        BosunEvent added = next(WITHIN_MILLIS);
        assertEquals(EventType.APP_ADDED, added == null ? null : added.type());
    }

    @Test
    public void twoWatchesOfOneDirectoryJournalEachEventOnce() throws Exception {
        watch();
        watch();
        Path dir = paths.podsDir().resolve("prepared").resolve(UUID);
        pods.put(UUID, pod(PodState.PREPARED, dir));
        Files.createDirectory(dir);
        assertEquals(EventType.POD_PREPARED, next(1000).type());
        assertEquals("both watches publish", EventType.POD_PREPARED, next(1000).type());
        Files.delete(dir);
        pods.remove(UUID);
        assertEquals(EventType.POD_GARBAGE_COLLECTED, next(1000).type());
        assertEquals(EventType.POD_GARBAGE_COLLECTED, next(1000).type());
        // The writing watch may journal an event after the other watch published it: wait for the
        // second entry, then a little more, so that a duplicate written late is still seen.
        EventJournal journal = new EventJournal(paths.dataDir(), EventJournal.DEFAULT_LIMIT);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (journal.read(null, null).size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        assertEquals(List.of(EventType.POD_PREPARED, EventType.POD_GARBAGE_COLLECTED),
                journal.read(null, null).stream().map(BosunEvent::type).toList());
    }

    @Test
    public void aDataDirectoryWithoutPodsYetIsWatchedFromItsFirstPod() throws Exception {
        Path data = temp.newFolder("fresh").toPath();
        paths = new RuntimePaths(data, data, data);
        watch();
        Path dir = paths.podsDir().resolve("prepared").resolve(UUID);
        pods.put(UUID, pod(PodState.PREPARED, dir));
        Files.createDirectories(dir);
        BosunEvent prepared = next(1000);
        assertEquals(EventType.POD_PREPARED, prepared == null ? null : prepared.type());
    }

    @Test
    public void aRunningPodWhoseLockCannotBeAwaitedIsReadAgainPacedAndItsEndStillNoticed() throws Exception {
        // as a reader that cannot open pod.lck (here: there is none) sees it: no wait in flock(2)
        Path dir = Files.createDirectories(paths.podsDir().resolve("run").resolve(UUID));
        pods.put(UUID, pod(PodState.RUNNING, dir));
        watch();
        Thread.sleep(1500);
        int reads = podReads.get();
        assertTrue("read " + reads + " times in 1.5 s", reads <= 1500 / DataDirWatch.UNAWAITED_RETRY_MILLIS + 2);
        pods.put(UUID, pod(PodState.EXITED, dir));
        BosunEvent exited = next(DataDirWatch.UNAWAITED_RETRY_MILLIS + 1000);
        assertEquals(EventType.POD_EXITED, exited == null ? null : exited.type());
    }

    @Test
    public void anImageStoreThatCannotBeReadLosesNoPodEventOfTheSameReading() throws Exception {
        // as the API service run as --user saw it: the index's lock not yet readable while a pod started
        Files.createDirectories(paths.dataDir().resolve("cas"));
        watch();
        imagesFail = true;
        Path dir = paths.podsDir().resolve("run").resolve(UUID);
        pods.put(UUID, pod(PodState.RUNNING, dir));
        Files.createDirectory(dir);
        Files.writeString(paths.dataDir().resolve("cas").resolve("index"), "changed");
        List<EventType> types = new ArrayList<>();
        for (BosunEvent e; (e = next(1000)) != null && types.size() < 2;) {
            types.add(e.type());
        }
        assertEquals(List.of(EventType.POD_PREPARED, EventType.POD_STARTED), types);
    }

    @Test
    public void manyRunningPodsCostTheWatchNoThreadNorDescriptorEachAndEachEndIsStillNoticed() throws Exception {
        int n = 20;
        List<LockHolder> holders = new ArrayList<>();
        List<String> uuids = new ArrayList<>();
        try {
            Instant t = Instant.parse("2026-12-07T00:00:00Z");
            for (int i = 0; i < n; i++) {
                String uuid = String.format("6f1b2c3d-0000-4000-8000-%012d", i + 100);
                Path dir = Files.createDirectories(paths.podsDir().resolve("run").resolve(uuid));
                holders.add(LockHolder.hold(dir.resolve("pod.lck")));
                uuids.add(uuid);
                pods.put(uuid, new PodInfo(uuid, PodState.RUNNING, List.of(), t, t.plusSeconds(1), 0, null, Map.of(), dir,
                        List.of(), null, null, null));
            }
            long fdsBefore = openDescriptors();
            watch();
            Thread.sleep(200);
            long threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> th.getName().startsWith("bosun-events")).count();
            long fds = openDescriptors() - fdsBefore;
            assertEquals("the watch's threads with " + n + " running pods", 3, threads);
            assertTrue("the watch opened " + fds + " descriptors for " + n + " running pods", fds < n / 2);
            assertEquals("running pods seen at the start are no event", null, next(0));
            String last = uuids.get(n - 1);
            Path dir = paths.podsDir().resolve("run").resolve(last);
            pods.put(last, new PodInfo(last, PodState.EXITED, List.of(), t, t.plusSeconds(1), 0, null, Map.of(), dir,
                    List.of(), null, null, null));
            holders.get(n - 1).close();
            BosunEvent exited = next(WITHIN_MILLIS * 5);
            assertEquals(EventType.POD_EXITED, exited == null ? null : exited.type());
            assertEquals(last, exited.pod());
        } finally {
            holders.forEach(LockHolder::close);
        }
    }

    private static long openDescriptors() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
