package org.bosun.store;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.StoredImage;
import org.bosun.host.lock.Flock;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The index of images: an H2 MVStore file ({@code cas/index.mv.db}) with two maps, image id →
 * the image as JSON and fetch reference → image id. MVStore writes copy-on-write chunks and
 * commits atomically, so a process killed mid-write leaves the last committed version. It admits
 * one process at a time, so every operation opens it under the flock {@code cas/index.lck},
 * works, commits and closes: short, and safe with the agent and commands running side by side.
 */
final class ImageIndex {
    private static final String IMAGES = "images";
    private static final String REFERENCES = "references";
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final StoreLayout layout;

    ImageIndex(StoreLayout layout) {
        this.layout = layout;
    }

    /** The maps of one open index. */
    record Maps(MVMap<String, String> images, MVMap<String, String> references) {
        StoredImage image(String id) {
            String json = images.get(id);
            return json == null ? null : decode(json);
        }

        List<StoredImage> all() {
            List<StoredImage> result = new ArrayList<>();
            images.values().forEach(json -> result.add(decode(json)));
            return result;
        }

        void put(StoredImage image) {
            images.put(image.id(), encode(image));
        }

        /** Removes the image and the references that point at it. */
        void remove(String id) {
            images.remove(id);
            List<String> refs = new ArrayList<>();
            references.forEach((ref, target) -> {
                if (target.equals(id)) {
                    refs.add(ref);
                }
            });
            refs.forEach(references::remove);
        }
    }

    /**
     * Runs {@code work} on the index opened read-only: nothing is written, so nothing is synced to
     * disk (a writable MVStore syncs its file when it closes, 10-60 ms on a busy disk, even after a
     * read). {@code work} must not change the maps. A store without an index reads as empty.
     */
    <R> R read(Function<Maps, R> work) {
        try (Flock lock = lock()) {
            if (lock == null || !java.nio.file.Files.exists(layout.index())) {
                MVStore empty = new MVStore.Builder().open(); // in memory
                try {
                    return work.apply(new Maps(empty.openMap(IMAGES), empty.openMap(REFERENCES)));
                } finally {
                    empty.closeImmediately();
                }
            }
            MVStore store;
            try {
                store = new MVStore.Builder().fileName(layout.index().toString()).readOnly().open();
            } catch (MVStoreException e) {
                throw BosunException.internal("cannot open the image index " + layout.index() + ": " + e.getMessage()
                        + "; move it away and fetch the images again", e);
            }
            try {
                return work.apply(new Maps(store.openMap(IMAGES), store.openMap(REFERENCES)));
            } finally {
                store.close();
            }
        }
    }

    /**
     * Takes the index's lock, made readable by all (as the index is) when it is made: a reader that
     * may not write it (the API service run as {@code --user}) locks it through a read-only
     * descriptor, and never finds it made but not yet readable. Null for a reader that may not make
     * it where there is none yet: then there is no index either (the lock is made first).
     */
    private Flock lock() {
        java.nio.file.Path file = layout.indexLock();
        if (!java.nio.file.Files.exists(file)) {
            try {
                java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made by another process meanwhile
            } catch (java.nio.file.AccessDeniedException reader) {
                return null;
            } catch (java.io.IOException e) {
                // Flock says what is wrong
            }
        }
        Flock lock = Flock.exclusive(file);
        readableLock();
        return lock;
    }

    /** An index lock made before it was made readable (an older bosun, a umask of 077) is opened up. */
    private void readableLock() {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> mode =
                    java.nio.file.Files.getPosixFilePermissions(layout.indexLock());
            if (!mode.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                mode.add(java.nio.file.attribute.PosixFilePermission.GROUP_READ);
                mode.add(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
                java.nio.file.Files.setPosixFilePermissions(layout.indexLock(), mode);
            }
        } catch (java.io.IOException e) {
            // not the owner: left as it is
        }
    }

    /** Runs {@code work} on the open index; what it changed is committed when it returns normally. */
    <R> R apply(Function<Maps, R> work) {
        try (Flock lock = lock()) {
            if (lock == null) {
                throw BosunException.internal("cannot write the image index in " + layout.index().getParent()
                        + ": this user may not; run as its owner", null);
            }
            MVStore store;
            try {
                store = new MVStore.Builder().fileName(layout.index().toString()).autoCommitDisabled().open();
            } catch (MVStoreException e) {
                throw BosunException.internal("cannot open the image index " + layout.index() + ": " + e.getMessage()
                        + "; move it away and fetch the images again", e);
            }
            try {
                Maps maps = new Maps(store.openMap(IMAGES), store.openMap(REFERENCES));
                R result = work.apply(maps);
                if (store.hasUnsavedChanges()) {
                    store.commit();
                }
                return result;
            } catch (RuntimeException e) {
                store.rollback();
                throw e;
            } finally {
                store.close();
            }
        }
    }

    /**
     * The stored form: instants as text, the manifest as its record (Jackson builds records through
     * their canonical constructor, so manifests keep every component the API gives them).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Entry(String id, String name, String format, List<String> references, ImageManifest manifest,
            List<String> blobs, List<String> dependencies, Map<String, String> metadata, String importTime,
            String lastUsed, long size) {
    }

    static String encode(StoredImage i) {
        Entry e = new Entry(i.id(), i.name(), i.format(), i.references(), i.manifest(), i.blobs(),
                i.dependencies(), i.metadata(), text(i.importTime()), text(i.lastUsed()), i.size());
        try {
            return JSON.writeValueAsString(e);
        } catch (IOException ex) {
            throw BosunException.internal("cannot encode image " + i.id() + ": " + ex.getMessage(), ex);
        }
    }

    static StoredImage decode(String json) {
        try {
            Entry e = JSON.readValue(json, Entry.class);
            return new StoredImage(e.id(), e.name(), e.format(), e.references(),
                    e.manifest(), e.blobs(), e.dependencies(), e.metadata(),
                    instant(e.importTime()), instant(e.lastUsed()), e.size());
        } catch (IOException ex) {
            throw BosunException.internal("the image index holds an unreadable entry: " + ex.getMessage(), ex);
        }
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Instant instant(String t) {
        return t == null ? null : Instant.parse(t);
    }
}
