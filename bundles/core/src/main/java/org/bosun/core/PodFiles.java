package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** Reads and writes the files of a pod directory. Writes go through a temporary file and a rename. */
final class PodFiles {
    static final String MANIFEST = "pod";
    static final String ENGINE = "stage1";
    static final String CREATED = "created";
    static final String PID = "pid";
    static final String GC_MARKED = "gc-marked";
    static final String APP_STATUS = "status";
    /** The pod-level options it was prepared with ({@link org.bosun.api.pod.PodOptions} as JSON). */
    static final String OPTIONS = "options";

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    ObjectMapper json() {
        return json;
    }

    void writeJson(Path file, Object value) {
        try {
            writeAtomically(file, json.writeValueAsBytes(value));
        } catch (IOException e) {
            throw BosunException.internal("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    void writeText(Path file, String text) {
        try {
            writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw BosunException.internal("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    PodManifestJson manifest(Path podDir) {
        return read(podDir.resolve(MANIFEST), PodManifestJson.class);
    }

    /** The pod-level options, or the defaults for a pod prepared before they were recorded. */
    org.bosun.api.pod.PodOptions options(Path podDir) {
        org.bosun.api.pod.PodOptions options = read(podDir.resolve(OPTIONS), org.bosun.api.pod.PodOptions.class);
        return options == null ? org.bosun.api.pod.PodOptions.DEFAULTS : options;
    }

    EngineRecordJson engine(Path podDir) {
        return read(podDir.resolve(ENGINE), EngineRecordJson.class);
    }

    <T> T read(Path file, Class<T> type) {
        try {
            return json.readValue(file.toFile(), type);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            if (!Files.exists(file)) {
                return null;
            }
            throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    Instant instant(Path file) {
        try {
            return Instant.parse(Files.readString(file).trim());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    long pid(Path podDir) {
        try {
            return Long.parseLong(Files.readString(podDir.resolve(PID)).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /**
     * An app's exit code as its engine recorded it: {@code apps/NAME/status}, the decimal code and a
     * newline, written once the app has exited (by engines that supervise their apps). Null when
     * there is none (still running, or an engine that records nothing, like fly).
     */
    Integer appExitCode(Path podDir, String app) {
        try {
            return Integer.valueOf(Files.readString(podDir.resolve("apps").resolve(app).resolve(APP_STATUS)).trim());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    Instant started(Path podDir) {
        try {
            return Files.getLastModifiedTime(podDir.resolve(PID)).toInstant();
        } catch (IOException e) {
            return null;
        }
    }

    /** The engine's view of a pod, with paths under {@code podDir}. */
    PodDirectory podDirectory(String uuid, Path podDir, PodManifestJson manifest) {
        List<PodDirectory.App> apps = new java.util.ArrayList<>();
        for (PodManifestJson.RuntimeApp app : manifest.apps()) {
            Map<String, String> env = new LinkedHashMap<>();
            if (app.app().environment() != null) {
                app.app().environment().forEach(nv -> env.put(nv.name(), nv.value()));
            }
            apps.add(new PodDirectory.App(app.name(), podDir.resolve("apps").resolve(app.name()).resolve("rootfs"),
                    app.app().exec(), env, Integer.parseInt(app.app().user()), Integer.parseInt(app.app().group()),
                    app.app().workingDirectory() == null ? "/" : app.app().workingDirectory()));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (manifest.annotations() != null) {
            manifest.annotations().forEach(nv -> annotations.put(nv.name(), nv.value()));
        }
        org.bosun.api.pod.PodOptions options = options(podDir);
        PodDirectory.Pod settings = new PodDirectory.Pod(options.hostname(), null, null, options.interactive(),
                options.engineOptions(), null);
        return new PodDirectory(uuid, podDir, apps, annotations, settings);
    }
}
