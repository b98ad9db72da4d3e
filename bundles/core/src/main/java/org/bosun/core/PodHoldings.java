package org.bosun.core;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkRequest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;


/**
 * What pods hold on the host outside their directories, in one host-wide place whatever data
 * directory a pod is in: {@code /var/lib/bosun-host/held/<uuid>/} (written by root only; the
 * directories 0711, so a pod's {@code net} link leads a non-root reader to its network records). A directory removed
 * by hand, or a data directory nobody names with {@code --dir} again, would otherwise leave its
 * pods' network namespaces, addresses, veths and NAT rules on the host for good; every
 * {@code bosun gc}, whatever its {@code --dir}, finds them here.
 * <ul>
 * <li>{@code pod.json}: the pod's uuid, the data directory it was prepared in and its forwarded
 * ports, written before anything is acquired, by rename.</li>
 * <li>{@code net/}: the pod's network records themselves (the namespace, the provider, its
 * attachments with their configuration and results); the pod directory's {@code net} is a
 * symbolic link to it, so there is one copy, reached from either side.</li>
 * <li>{@code pod.lck}: taken by a command releasing what the pod held, so two do not at once.</li>
 * </ul>
 * Under /var/lib, not /run: the addresses are leases on disk and outlive a reboot, like the pods.
 * A pod's record goes once it holds nothing (at gc); the pod directory always exists before its
 * record and is removed after it, so a record without a pod directory is an orphan.
 */
final class PodHoldings {
    static final Path ROOT = Path.of("/var/lib/bosun-host");
    static final String HELD = "held";
    static final String RECORD = "pod.json";
    /** Held by a {@code --port} claim from its check until its forwards exist (see {@link PodPortClaims}). */
    static final String PORTS_LOCK = "ports.lck";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * One pod's record.
     *
     * @param version the format, {@value PodHoldings#VERSION}
     * @param uuid the pod
     * @param dataDir the data directory it was prepared in ({@code --dir})
     * @param podsDir that data directory's {@code pods/}
     * @param ports the host ports it forwards
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Holding(int version, String uuid, String dataDir, String podsDir, List<NetworkRequest.PortMapping> ports) {
        Holding {
            ports = ports == null ? List.of() : List.copyOf(ports);
        }
    }

    private final Path root;

    /** @param root {@link #ROOT}; tests give their own */
    PodHoldings(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path dir(String uuid) {
        return root.resolve(HELD).resolve(uuid);
    }

    /**
     * Records that the pod is about to hold things on the host and links {@code <podDir>/net} to
     * the record's {@code net/}, where its network records go. Returns the record's directory, to
     * which the pod's network records belong ({@link PodNetRecords#owner}).
     */
    Path open(RuntimePaths paths, String uuid, Path podDir, List<NetworkRequest.PortMapping> ports) {
        Path dir = dir(uuid);
        Path link = podDir.resolve(PodNetRecords.DIR);
        try {
            createTraversable(root);
            createTraversable(root.resolve(HELD));
            createTraversable(dir);
            Files.createDirectories(dir.resolve(PodNetRecords.DIR));
            // The lock first: a record gc finds must be one it can lock.
            if (!Files.exists(dir.resolve(PodLock.FILE_NAME))) {
                // root's only: no reader needs it, and one that could open it could hold it (flock) and stall gc
                Files.createFile(dir.resolve(PodLock.FILE_NAME),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            byte[] record = JSON.writeValueAsBytes(new Holding(VERSION, uuid, paths.dataDir().toString(),
                    paths.podsDir().toString(), ports));
            Path tmp = dir.resolve(RECORD + ".tmp");
            Files.write(tmp, record);
            Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, dir.resolve(PodNetRecords.DIR));
            }
            return dir;
        } catch (IOException e) {
            throw BosunException.internal("cannot record what pod " + uuid + " holds on the host in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** The pod's record, if it has one. */
    Optional<Holding> read(String uuid) {
        Path file = dir(uuid).resolve(RECORD);
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), Holding.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw BosunException.internal("the host record " + file + " cannot be read (" + e.getMessage().split("\\R")[0]
                    + "); release what it names by hand, then remove " + dir(uuid), e);
        }
    }

    /** Every pod's record; those that cannot be read are reported in {@code failures}. */
    List<Holding> all(List<String> failures) {
        List<Holding> all = new ArrayList<>();
        try (DirectoryStream<Path> each = Files.newDirectoryStream(root.resolve(HELD))) {
            for (Path dir : each) {
                try {
                    read(dir.getFileName().toString()).ifPresent(all::add);
                } catch (BosunException e) {
                    failures.add(e.getMessage());
                }
            }
        } catch (NoSuchFileException | java.nio.file.AccessDeniedException nothingOrNotOurs) {
            // no pod ever held anything here, or not root: nothing this command could release
        } catch (IOException e) {
            failures.add("cannot list " + root.resolve(HELD) + ": " + e.getMessage());
        }
        return all;
    }

    /** The lock of the pod's record, taken without waiting; null when another command holds it or the record is gone. */
    PodLock lock(String uuid) {
        return PodLock.tryExclusive(dir(uuid));
    }

    /** The host-wide lock of {@code --port} claims. */
    PodLock portsLock() {
        try {
            createTraversable(root);
        } catch (IOException e) {
            throw BosunException.internal("cannot create " + root + ": " + e.getMessage(), e);
        }
        return PodLock.waitExclusive(root.resolve(PORTS_LOCK));
    }

    /**
     * Removes the pod's record once its {@code net/} is empty, i.e. nothing it held is recorded
     * any more. Safe to call again, and for a pod without a record.
     */
    void remove(String uuid) {
        Path dir = dir(uuid);
        try {
            Files.deleteIfExists(dir.resolve(PodNetRecords.DIR));
            Files.deleteIfExists(dir.resolve(RECORD));
            Files.deleteIfExists(dir.resolve(PodLock.FILE_NAME));
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException stillHeld) {
            // a record of something still held stays, and the pod's record with it
        } catch (IOException e) {
            throw BosunException.internal("cannot remove the host record " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The root, {@code held/} and a pod's record: searchable by all, listable by root only (0711), so the
     * pod directory's {@code net} link leads whoever may read the pod directory (the API service
     * run as {@code --user}) to its network records, which are world-readable as the pod's files
     * are; the uuids stay unlisted. A directory made 0700 by an older bosun is opened up so.
     */
    private static void createTraversable(Path dir) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = PosixFilePermissions.fromString("rwx--x--x");
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(mode));
                Files.setPosixFilePermissions(dir, mode);
                return;
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another command made it meanwhile
            }
        }
        if (!Files.getPosixFilePermissions(dir).equals(mode)) {
            Files.setPosixFilePermissions(dir, mode);
        }
    }
}
