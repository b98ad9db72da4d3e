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
    /** Created by the engine once an app's process has started (see Stage1Engine). */
    static final String APP_STARTED = "started";
    /** The host pid of an app's process, written by its engine before {@link #APP_STARTED}. */
    static final String APP_PID = "pid";
    /** What bosun decided on the user's behalf while preparing the pod (one line each), shown with --debug. */
    static final String NOTES = "notes";
    /** The pod-level options it was prepared with ({@link org.bosun.api.pod.PodOptions} as JSON). */
    static final String OPTIONS = "options";
    /** The ports its apps' images declare, which {@code --port NAME:...} refers to; read again when run-prepared sets the network up anew. */
    static final String IMAGE_PORTS = "image-ports";
    /**
     * A sandbox's user namespace ({@code app sandbox --private-users}), {@code [0, HOSTID, SIZE]} as
     * JSON: chosen before it had apps, the mapping of every app added to it. A pod given its apps at
     * prepare has none: its apps' policies say it.
     */
    static final String USER_NAMESPACE = "user-namespace";

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(RecordedPolicyJson.MODULE);

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

    /** Adds lines to the pod's {@link #NOTES}. */
    void appendNotes(Path podDir, List<String> notes) {
        if (notes.isEmpty()) {
            return;
        }
        try {
            Files.writeString(podDir.resolve(NOTES), String.join("\n", notes) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw BosunException.internal("cannot write " + podDir.resolve(NOTES) + ": " + e.getMessage(), e);
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

    /** The ports the pod's images declare (none recorded: none). */
    List<org.bosun.api.image.ImageManifest.Port> imagePorts(Path podDir) {
        org.bosun.api.image.ImageManifest.Port[] ports = read(podDir.resolve(IMAGE_PORTS),
                org.bosun.api.image.ImageManifest.Port[].class);
        return ports == null ? List.of() : List.of(ports);
    }

    EngineRecordJson engine(Path podDir) {
        return read(podDir.resolve(ENGINE), EngineRecordJson.class);
    }

    <T> T read(Path file, Class<T> type) {
        try {
            return json.readValue(file.toFile(), type);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            // Jackson's own message, without the location lines it appends
            throw BosunException.internal("cannot read " + file + ": " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
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

    /**
     * When an app's process started, as its engine recorded it: the modification time of
     * {@code apps/NAME/started}. Null when there is none (not started yet, or an engine that does not say).
     */
    /** The host pid of the app's process, as its engine recorded it ({@value #APP_PID}), or null. */
    Integer appPid(Path podDir, String app) {
        try {
            return Integer.valueOf(Files.readString(podDir.resolve("apps").resolve(app).resolve(APP_PID)).trim());
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    Instant appStarted(Path podDir, String app) {
        try {
            return Files.getLastModifiedTime(podDir.resolve("apps").resolve(app).resolve(APP_STARTED)).toInstant();
        } catch (IOException e) {
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

    /**
     * Where a pod's files are now. {@code launch} describes a prepared pod with the paths it will
     * have once the launcher has moved it to run/, while its files are still in prepared/.
     */
    static Path whereNow(Path podDir) {
        if (Files.exists(podDir)) {
            return podDir;
        }
        Path prepared = podDir.getParent().resolveSibling(PodStore.Dir.PREPARED.dirName).resolve(podDir.getFileName());
        return Files.exists(prepared) ? prepared : podDir;
    }

    /**
     * The pod's user namespace: the one recorded for a sandbox ({@link #USER_NAMESPACE}), or the one
     * its apps' policies share; null for none.
     */
    org.bosun.api.security.IdMapping userNamespace(Path podDir, PodManifestJson manifest) {
        org.bosun.api.security.IdMapping recorded = read(podDir.resolve(USER_NAMESPACE),
                org.bosun.api.security.IdMapping.class);
        if (recorded != null || manifest == null) {
            return recorded;
        }
        for (PodManifestJson.RuntimeApp app : manifest.apps()) {
            var maps = PodSecurity.recorded(this, podDir, app.name()).uidMappings();
            if (!maps.isEmpty()) {
                return maps.get(0);
            }
        }
        return null;
    }

    /** The engine's view of a pod, with paths under {@code podDir}. */
    PodDirectory podDirectory(String uuid, Path podDir, PodManifestJson manifest) {
        List<PodDirectory.App> apps = new java.util.ArrayList<>();
        // Set by the executor, as AC_APP_NAME: the appc spec gives apps no say in it.
        String metadataUrl = PodMetadataRegistration.url(whereNow(podDir));
        for (PodManifestJson.RuntimeApp app : manifest.apps()) {
            Map<String, String> env = new LinkedHashMap<>();
            if (app.app().environment() != null) {
                app.app().environment().forEach(nv -> env.put(nv.name(), nv.value()));
            }
            if (metadataUrl != null) {
                env.put(PodMetadataRegistration.ENV, metadataUrl);
            }
            apps.add(PodSecurity.withRecordedPolicy(this, whereNow(podDir), AppRootfs.withLayers(
                    AppIsolators.engineApp(podDir, manifest, app, env), whereNow(podDir).resolve("apps").resolve(app.name()))));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (manifest.annotations() != null) {
            manifest.annotations().forEach(nv -> annotations.put(nv.name(), nv.value()));
        }
        org.bosun.api.pod.PodOptions options = options(whereNow(podDir));
        // A pod prepared with its own network has its etc/ files; older ones keep the engine's defaults.
        Path etcDir = PodEtcFiles.etcDir(whereNow(podDir)) == null ? null : podDir.resolve(PodEtcFiles.DIR);
        PodDirectory.Pod settings = new PodDirectory.Pod(etcDir == null ? options.hostname()
                : PodNetwork.hostname(options, uuid), PodNetworkNamespace.recorded(whereNow(podDir)), etcDir, options.interactive(),
                options.engineOptions(), PodSecurity.userNamespace(uuid, apps,
                        read(whereNow(podDir).resolve(USER_NAMESPACE), org.bosun.api.security.IdMapping.class)),
                org.bosun.api.pod.PodOptions.IPC_PARENT.equals(options.ipc()), options.sysctls());
        return new PodDirectory(uuid, podDir, apps, annotations, settings);
    }
}
