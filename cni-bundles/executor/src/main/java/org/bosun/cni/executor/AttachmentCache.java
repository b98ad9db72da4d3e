package org.bosun.cni.executor;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.bosun.api.BosunException;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The attachment cache, like libcni's {@code results/} directory: one file per network, container
 * and interface, replaced atomically, holding the configuration and runtime values an attachment
 * was added with and, once the chain succeeded, its result.
 */
final class AttachmentCache {
    static final String KIND = "bosunCniCacheV1";

    /** One cache file. {@code result} is null until {@code ADD} finished. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Entry(String kind, String network, String containerId, String ifName, String netns, Map<String, String> args,
            Map<String, Object> capabilityArgs, JsonNode config, String configSource, JsonNode result) {
    }

    private AttachmentCache() {
    }

    static Path file(Path cacheDir, String network, String containerId, String ifName) {
        return cacheDir.resolve(network + "-" + containerId + "-" + ifName + ".json");
    }

    static void write(Path cacheDir, Entry entry) {
        Path file = file(cacheDir, entry.network(), entry.containerId(), entry.ifName());
        Path temp = cacheDir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(cacheDir);
            Files.write(temp, Json.MAPPER.writeValueAsBytes(entry));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // the write failure is what matters
            }
            throw BosunException.internal("cannot write the CNI cache file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The entry in {@code file}, or empty when there is none; a file that cannot be read is an error. */
    static Optional<Entry> read(Path file) {
        try {
            Entry entry = Json.MAPPER.readValue(Files.readAllBytes(file), Entry.class);
            if (!KIND.equals(entry.kind()) || entry.config() == null) {
                throw BosunException.invalid("CNI cache file " + file + " is not a bosun cache entry; remove it");
            }
            return Optional.of(entry);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw BosunException.invalid("CNI cache file " + file + " cannot be read (" + Json.oneLine(e.getMessage())
                    + "); remove it, then detach again");
        }
    }

    static void remove(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw BosunException.internal("cannot remove the CNI cache file " + file + ": " + e.getMessage(), e);
        }
    }

    static List<Path> files(Path cacheDir) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(cacheDir)) {
            return files;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(cacheDir, "[!.]*.json")) {
            dir.forEach(files::add);
        } catch (IOException e) {
            throw BosunException.internal("cannot list the CNI cache " + cacheDir + ": " + e.getMessage(), e);
        }
        files.sort(null);
        return files;
    }
}
