package org.bosun.events;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventType;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.bosun.host.lock.Flock;

/**
 * Watches one data directory and turns what changes in it into events, whoever changed it: the
 * state directories of {@code pods/} (a pod appears, moves, goes), the directory of each pod that
 * may still change and its {@code apps/NAME/} (an app's {@code started} and {@code status}, an app
 * added or removed), and {@code cas/} (the image index is rewritten by every fetch and removal).
 * inotify (the JDK's WatchService on Linux) wakes it, so no directory is polled; the end of a
 * running pod, which is only the release of its {@code pod.lck} and changes no file, is told by one
 * more inotify instance and thread for all running pods ({@link LockEnds}): no thread nor descriptor
 * per pod. Each change is read back through the pod and image
 * services, so a pod's state is told by core alone, and compared with the last reading
 * ({@link PodTransitions}).
 */
final class DataDirWatch implements AutoCloseable {
    /** How long a change waits for the others of the same operation, so one reading serves them all. */
    static final long SETTLE_MILLIS = 3;
    /** How often a running pod whose lock cannot be awaited (not opened) is read again. */
    static final long UNAWAITED_RETRY_MILLIS = 1000;
    private static final String CAS = "\0cas";
    private static final String RESCAN = "\0all";
    private static final List<String> STATE_DIRS = List.of("prepare", "prepared", "run", "exited-garbage", "garbage");

    /** What the watch reads through: core's pod state and the image store. */
    interface Source {
        List<PodInfo> pods(RuntimePaths paths);

        /** One pod, or empty when it is gone. */
        Optional<PodInfo> pod(RuntimePaths paths, String uuid);

        /** The stored images, or empty when no image store is running here. */
        Optional<List<StoredImage>> images(RuntimePaths paths);
    }

    private final RuntimePaths paths;
    private final String dataDir;
    private final Source source;
    private final Consumer<List<BosunEvent>> publish;
    private final EventJournal journal;
    private final Clock clock;
    private final WatchService watcher;
    private final Map<WatchKey, String> keys = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> dirty = new LinkedBlockingQueue<>();
    private final Map<String, PodInfo> known = new HashMap<>();
    /** Running pods whose lock cannot be watched (this user may not read it, or there is none): read again, paced. */
    private final Set<String> paced = ConcurrentHashMap.newKeySet();
    private final LockEnds ends;
    private Map<String, StoredImage> images;
    private Flock writer;
    private volatile boolean closed;
    private final Thread watchThread;
    private final Thread readThread;

    DataDirWatch(RuntimePaths paths, Source source, Consumer<List<BosunEvent>> publish, EventJournal journal,
            Clock clock) {
        this.paths = paths;
        this.dataDir = paths.dataDir().toString();
        this.source = source;
        this.publish = publish;
        this.journal = journal;
        this.clock = clock;
        try {
            Files.createDirectories(paths.dataDir());
            this.watcher = paths.dataDir().getFileSystem().newWatchService();
        } catch (IOException e) {
            throw BosunException.internal("cannot watch " + paths.dataDir() + ": " + e.getMessage(), e);
        }
        ends = new LockEnds("bosun-events-ends " + dataDir, dirty::add);
        watchDirectories();
        for (PodInfo p : source.pods(paths)) {
            known.put(p.uuid(), p);
            watchPod(p);
        }
        images = imagesById();
        watchThread = new Thread(this::watchLoop, "bosun-events-watch " + dataDir);
        readThread = new Thread(this::readLoop, "bosun-events-read " + dataDir);
        watchThread.setDaemon(true);
        readThread.setDaemon(true);
        watchThread.start();
        readThread.start();
    }

    RuntimePaths paths() {
        return paths;
    }

    /** The data directory, pods/ and its state directories, and cas/: each as soon as it exists. */
    private void watchDirectories() {
        register(paths.dataDir(), RESCAN, ENTRY_CREATE);
        register(paths.podsDir(), RESCAN, ENTRY_CREATE);
        for (String d : STATE_DIRS) {
            register(paths.podsDir().resolve(d), null, ENTRY_CREATE, ENTRY_DELETE);
        }
        register(paths.dataDir().resolve("cas"), CAS, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
    }

    /**
     * The pod's own directory, apps/ and each apps/NAME/, while the pod may still change (it is not
     * garbage). A watch follows its directory through the pod's renames (inotify watches inodes).
     */
    private void watchPod(PodInfo p) {
        if (p.state() == PodState.GARBAGE || p.state() == PodState.EXITED_GARBAGE || p.directory() == null) {
            return;
        }
        Path dir = p.directory();
        register(dir, p.uuid(), ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
        register(dir.resolve("apps"), p.uuid(), ENTRY_CREATE, ENTRY_DELETE);
        try (var apps = Files.list(dir.resolve("apps"))) {
            apps.forEach(app -> register(app, p.uuid(), ENTRY_CREATE, ENTRY_MODIFY));
        } catch (IOException e) {
            // no apps/ (yet): its creation is watched
        }
        if (p.state() == PodState.RUNNING) {
            Path lock = dir.resolve("pod.lck");
            if (!ends.watch(p.uuid(), lock)) {
                paced.add(p.uuid());
            } else if (!Flock.isHeld(lock)) {
                // released between the reading and the watch: read it again now
                dirty.add(p.uuid());
            }
        }
    }

    /** The pod no longer runs (or is gone): nothing of it is awaited any more. */
    private void unwatchEnd(String uuid) {
        ends.unwatch(uuid);
        paced.remove(uuid);
    }

    @SafeVarargs
    private void register(Path dir, String what, WatchEvent.Kind<Path>... kinds) {
        try {
            keys.put(dir.register(watcher, kinds), what == null ? "" : what);
        } catch (NoSuchFileException e) {
            // not there yet; its parent's watch reports its creation
        } catch (ClosedWatchServiceException e) {
            // closing
        } catch (IOException e) {
            // unreadable (another user's pod): its state directory's events still tell its moves
        }
    }

    private void watchLoop() {
        try {
            while (!closed) {
                WatchKey key = watcher.take();
                String what = keys.get(key);
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (what == null) {
                        continue;
                    }
                    if (event.kind() == java.nio.file.StandardWatchEventKinds.OVERFLOW) {
                        dirty.add(RESCAN);
                    } else if (what.isEmpty()) {
                        // a state directory: the entry is a pod
                        dirty.add(((Path) event.context()).getFileName().toString());
                    } else if (what.equals(RESCAN) || what.equals(CAS)) {
                        dirty.add(what);
                    } else {
                        dirty.add(what);
                    }
                }
                if (!key.reset()) {
                    keys.remove(key);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private void readLoop() {
        long nextPaced = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNAWAITED_RETRY_MILLIS);
        try {
            while (!closed) {
                Set<String> batch = new LinkedHashSet<>();
                String first;
                if (paced.isEmpty()) {
                    first = dirty.take();
                } else {
                    first = dirty.poll(Math.max(0, nextPaced - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                if (!paced.isEmpty() && System.nanoTime() - nextPaced >= 0) {
                    // the running pods whose end cannot be watched: read again once a second, not a thread each
                    batch.addAll(paced);
                    paced.clear();
                    nextPaced = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNAWAITED_RETRY_MILLIS);
                }
                if (first != null) {
                    batch.add(first);
                } else if (batch.isEmpty()) {
                    continue;
                }
                String more;
                while ((more = dirty.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    batch.add(more);
                }
                if (closed) {
                    return;
                }
                try {
                    emit(read(batch));
                } catch (RuntimeException e) {
                    // One unreadable pod or a store being updated must not end the watch; the next change reads again.
                    System.err.println("bosun events: reading " + dataDir + " failed: " + e);
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private List<BosunEvent> read(Set<String> batch) {
        List<BosunEvent> events = new ArrayList<>();
        if (batch.remove(RESCAN)) {
            watchDirectories();
            for (PodInfo p : source.pods(paths)) {
                batch.add(p.uuid());
            }
            batch.addAll(known.keySet());
            batch.add(CAS);
        }
        boolean cas = batch.remove(CAS);
        // each pod and the images read on their own: what one reading fails to tell is told by the next
        // change, and the others' events are not lost with it (their readings are already the known ones)
        for (String uuid : batch) {
            if (!isUuid(uuid)) {
                continue;
            }
            PodInfo after;
            try {
                after = source.pod(paths, uuid).orElse(null);
            } catch (BosunException e) {
                if (e.kind() != ErrorKind.NOT_FOUND) {
                    failed("pod " + uuid, e);
                    continue;
                }
                after = null;
            } catch (RuntimeException e) {
                failed("pod " + uuid, e);
                continue;
            }
            PodInfo before = after == null ? known.remove(uuid) : known.put(uuid, after);
            if (after == null || after.state() != PodState.RUNNING) {
                unwatchEnd(uuid);
            }
            if (after != null) {
                watchPod(after);
            }
            events.addAll(PodTransitions.between(dataDir, uuid, before, after, clock.instant()));
        }
        if (cas) {
            try {
                events.addAll(imageEvents());
            } catch (RuntimeException e) {
                failed("the images", e);
            }
        }
        return events;
    }

    private void failed(String what, RuntimeException e) {
        System.err.println("bosun events: reading " + what + " of " + dataDir + " failed: " + e.getMessage());
    }

    private static boolean isUuid(String s) {
        return s.length() == 36 && s.chars().allMatch(c -> c == '-' || Character.isDigit(c) || (c >= 'a' && c <= 'f'));
    }

    private List<BosunEvent> imageEvents() {
        Map<String, StoredImage> now = imagesById();
        List<BosunEvent> events = new ArrayList<>();
        if (now == null || images == null) {
            images = now;
            return events;
        }
        for (StoredImage i : now.values()) {
            if (!images.containsKey(i.id())) {
                events.add(image(EventType.IMAGE_FETCHED, i, i.importTime() != null ? i.importTime() : clock.instant()));
            }
        }
        for (StoredImage i : images.values()) {
            if (!now.containsKey(i.id())) {
                events.add(image(EventType.IMAGE_REMOVED, i, clock.instant()));
            }
        }
        images = now;
        return events;
    }

    private BosunEvent image(EventType type, StoredImage i, java.time.Instant at) {
        Map<String, String> attributes = i.name() == null ? Map.of() : Map.of(BosunEvent.IMAGE_NAME, i.name());
        return new BosunEvent(type, at, dataDir, null, null, i.id(), attributes);
    }

    private Map<String, StoredImage> imagesById() {
        if (!Files.isDirectory(paths.dataDir().resolve("cas"))) {
            return Map.of();
        }
        return source.images(paths).map(list -> {
            Map<String, StoredImage> byId = new HashMap<>();
            list.forEach(i -> byId.put(i.id(), i));
            return byId;
        }).orElse(null);
    }

    /**
     * Publishes, and journals when this watch is the data directory's journal writer: the first
     * watch to take {@code events/writer.lck} keeps it while it lives, and another takes over at
     * its next change once it is gone, so each event is journaled once however many watch.
     */
    private void emit(List<BosunEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        publish.accept(events);
        if (writer == null) {
            if (!mayJournal()) {
                // a reader of another user's data directory (the API service run as --user): the
                // directory's own watchers journal; one that took the writer's lock could not write
                return;
            }
            try {
                Files.createDirectories(journal.writerLock().getParent());
                if (!Files.exists(journal.writerLock())) {
                    Files.createFile(journal.writerLock());
                }
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made by another watch meanwhile
            } catch (IOException e) {
                throw BosunException.internal("cannot make " + journal.writerLock() + ": " + e.getMessage(), e);
            }
            writer = Flock.tryExclusive(journal.writerLock());
        }
        if (writer != null) {
            journal.append(events);
        }
    }

    /** Whether this process may write the journal: it may write {@code events/}, or make it. */
    private boolean mayJournal() {
        Path dir = journal.writerLock().getParent();
        return Files.isDirectory(dir) ? Files.isWritable(dir) : Files.isWritable(paths.dataDir());
    }

    @Override
    public void close() {
        closed = true;
        try {
            watcher.close();
        } catch (IOException e) {
            // closing anyway
        }
        readThread.interrupt();
        watchThread.interrupt();
        ends.close();
        try {
            readThread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer != null) {
            writer.close();
        }
    }
}
