package org.bosun.extensions;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bosun.api.BosunException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The extension bundles a data directory holds: {@code <dir>/bundles/index.json} names each one's
 * jar in {@code <dir>/bundles/}, its version, and the previous version's jar kept for a rollback.
 * The launcher reads the same file (with its own JSON reader) and installs these jars after the
 * feature's bundles in every platform it boots. The file is replaced by a rename, so a reader sees
 * the old index or the new one; writers hold {@code bundles/.lock}.
 *
 * <pre>{"bundles": [{"symbolicName": "com.example.x", "version": "2.0.0", "file": "com.example.x-2.0.0.jar",
 *                  "previous": {"version": "1.0.0", "file": "com.example.x-1.0.0.jar"}},
 *                 {"symbolicName": "org.bosun.stage1.fly", "version": "1.2.0", "file": "org.bosun.stage1.fly-1.2.0.jar",
 *                  "replaces": "bosun-stage1-fly-1.1.0.jar"}]}</pre>
 * An entry with {@code replaces} is an update of one of bosun's own bundles: the launcher installs
 * its jar in place of that built-in jar of the distribution's {@code bundles/}.
 */
final class ExtensionIndex {
    static final String FOLDER = "bundles";
    static final String FILE = "index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A jar of the folder and its version. */
    record Jar(String version, String file) {
    }

    /**
     * One installed extension bundle, or update of a built-in one.
     *
     * @param previous the version the last update replaced, kept for a rollback; null when none
     *        (for an updated built-in: the built-in itself is the previous version)
     * @param replaces the built-in jar's file name this updates; null for an extension
     */
    record Entry(String symbolicName, Jar current, Jar previous, String replaces) {
        Entry(String symbolicName, Jar current, Jar previous) {
            this(symbolicName, current, previous, null);
        }

        boolean updatesBuiltIn() {
            return replaces != null;
        }
    }

    private final Path folder;
    private final List<Entry> entries;

    private ExtensionIndex(Path folder, List<Entry> entries) {
        this.folder = folder;
        this.entries = entries;
    }

    static Path folder(Path dataDir) {
        return dataDir.resolve(FOLDER);
    }

    /** The index of {@code dataDir}; empty when there is none. */
    static ExtensionIndex read(Path dataDir) {
        Path folder = folder(dataDir);
        Path file = folder.resolve(FILE);
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(file)) {
            return new ExtensionIndex(folder, entries);
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw BosunException.precondition("the bundle index " + file + " cannot be read ("
                    + e.getMessage().lines().findFirst().orElse("") + "); fix or remove it");
        }
        for (JsonNode b : root.path("bundles")) {
            String name = b.path("symbolicName").asText("");
            String version = b.path("version").asText("");
            String jar = b.path("file").asText("");
            if (name.isEmpty() || version.isEmpty() || !isPlainFileName(jar)) {
                throw BosunException.precondition("the bundle index " + file + " has an entry without symbolicName,"
                        + " version or a plain file name: " + b + "; fix or remove it");
            }
            JsonNode p = b.path("previous");
            Jar previous = p.isObject() && isPlainFileName(p.path("file").asText(""))
                    ? new Jar(p.path("version").asText(""), p.path("file").asText()) : null;
            JsonNode replaces = b.path("replaces");
            if (!replaces.isMissingNode() && !replaces.isNull() && !isPlainFileName(replaces.asText(""))) {
                throw BosunException.precondition("the bundle index " + file + " has an entry whose \"replaces\" is"
                        + " not a plain file name: " + b + "; fix or remove it");
            }
            entries.add(new Entry(name, new Jar(version, jar), previous,
                    replaces.isTextual() ? replaces.asText() : null));
        }
        return new ExtensionIndex(folder, entries);
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.contains("/") && !name.startsWith(".");
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    Optional<Entry> find(String symbolicName) {
        return entries.stream().filter(e -> e.symbolicName().equals(symbolicName)).findFirst();
    }

    Path folder() {
        return folder;
    }

    Path jar(Jar jar) {
        return folder.resolve(jar.file());
    }

    /** This index with {@code entry} in place of the one of its name (or added at the end). */
    ExtensionIndex with(Entry entry) {
        List<Entry> next = new ArrayList<>();
        boolean replaced = false;
        for (Entry e : entries) {
            if (e.symbolicName().equals(entry.symbolicName())) {
                next.add(entry);
                replaced = true;
            } else {
                next.add(e);
            }
        }
        if (!replaced) {
            next.add(entry);
        }
        return new ExtensionIndex(folder, next);
    }

    ExtensionIndex without(String symbolicName) {
        List<Entry> next = new ArrayList<>(entries);
        next.removeIf(e -> e.symbolicName().equals(symbolicName));
        return new ExtensionIndex(folder, next);
    }

    /** Writes the index to a temporary file and renames it over the old one. */
    void write() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("bundles");
        for (Entry e : entries) {
            ObjectNode b = array.addObject();
            b.put("symbolicName", e.symbolicName());
            b.put("version", e.current().version());
            b.put("file", e.current().file());
            if (e.previous() != null) {
                ObjectNode p = b.putObject("previous");
                p.put("version", e.previous().version());
                p.put("file", e.previous().file());
            }
            if (e.replaces() != null) {
                b.put("replaces", e.replaces());
            }
        }
        Files.createDirectories(folder);
        Path temporary = folder.resolve("." + FILE + ".tmp");
        Files.writeString(temporary, JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n");
        try {
            Files.move(temporary, folder.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, folder.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Holds {@code bundles/.lock} of {@code dataDir}: one change of the folder at a time. */
    static FileLock lock(Path dataDir) throws IOException {
        Path folder = folder(dataDir);
        Files.createDirectories(folder);
        FileChannel channel = FileChannel.open(folder.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            return channel.lock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
