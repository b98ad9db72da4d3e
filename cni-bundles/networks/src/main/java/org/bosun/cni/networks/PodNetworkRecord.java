package org.bosun.cni.networks;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bosun.api.BosunException;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the provider attached a pod to, in {@code <podDir>/net/networks.json}: everything a
 * {@code DEL} needs (the configuration as used, the runtime values, the plugin directories and the
 * cache), so that {@code detach} works from the pod directory alone, also in a later version of
 * this bundle. Each attachment is recorded before its {@code ADD} starts.
 *
 * @param version the record format, {@value #VERSION}
 * @param containerId the CNI container id, the pod's uuid
 * @param netns the pod's network namespace
 * @param cacheDir the executor's attachment cache
 * @param pluginDirs the plugin directories used
 * @param timeoutMillis the plugin timeout used
 * @param attachments in attach order: {@code lo} first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record PodNetworkRecord(int version, String containerId, String netns, String cacheDir, List<String> pluginDirs,
        long timeoutMillis, List<Attachment> attachments) {
    static final int VERSION = 1;
    static final String FILE = "networks.json";
    static final String PENDING = "pending";
    static final String ADDED = "added";
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * One network of the pod.
     *
     * @param network its name
     * @param ifName the interface in the pod
     * @param args its {@code CNI_ARGS}
     * @param capabilityArgs its {@code runtimeConfig} values
     * @param config the configuration list it is added with
     * @param source where that configuration came from
     * @param state {@value #PENDING} until its {@code ADD} succeeded, then {@value #ADDED}
     * @param result the {@code ADD} result, or null
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Attachment(String network, String ifName, Map<String, String> args, Map<String, Object> capabilityArgs,
            JsonNode config, String source, String state, JsonNode result) {
        Attachment added(JsonNode addResult) {
            return new Attachment(network, ifName, args, capabilityArgs, config, source, ADDED, addResult);
        }
    }

    PodNetworkRecord with(List<Attachment> changed) {
        return new PodNetworkRecord(version, containerId, netns, cacheDir, pluginDirs, timeoutMillis, new ArrayList<>(changed));
    }

    static Path file(Path podDir) {
        return podDir.resolve("net").resolve(FILE);
    }

    static Optional<PodNetworkRecord> read(Path podDir) {
        Path file = file(podDir);
        PodNetworkRecord record;
        try {
            record = MAPPER.readValue(Files.readAllBytes(file), PodNetworkRecord.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw BosunException.invalid("the network record " + file + " cannot be read (" + e.getMessage().split("\\R")[0]
                    + "); the pod's networks must be removed by hand");
        }
        if (record.version() > VERSION) {
            throw BosunException.precondition("the network record " + file + " was written by a newer bosun (format "
                    + record.version() + "); detach the pod with that version");
        }
        return Optional.of(record);
    }

    void write(Path podDir) {
        Path file = file(podDir);
        Path temp = file.resolveSibling("." + FILE + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            // root's only: the configurations as used may hold what their net.d files keep from others,
            // and the pod's net/ is reachable by non-root readers (the API service reads attachments.json)
            Files.deleteIfExists(temp);
            Files.createFile(temp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.write(temp, MAPPER.writeValueAsBytes(this));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw BosunException.internal("cannot write the network record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the record, and {@code net/} with it unless other records (the core's) live there. */
    static void remove(Path podDir) {
        Path file = file(podDir);
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (DirectoryNotEmptyException othersLiveThere) {
            // the core's records of the pod's network stay until the core removes them
        } catch (IOException e) {
            throw BosunException.internal("cannot remove the network record " + file + ": " + e.getMessage(), e);
        }
    }
}
