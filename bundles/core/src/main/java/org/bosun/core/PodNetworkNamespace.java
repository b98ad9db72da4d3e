package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.host.files.MountInfo;

/**
 * The pod's own network namespace, {@code /run/netns/bosun-<uuid8>}, recorded in
 * {@code <pod>/net/netns}. The core alone creates it (at prepare) and deletes it (at gc, or when
 * prepare fails); a network provider only adds interfaces to the namespace it is given, so the
 * namespace outlives every {@code DEL} that needs it.
 * <p>
 * It lives under /run/netns, not the data dir, because /run is a tmpfs: a reboot, which ends every
 * namespace, also ends every name, so no stale bind mount can outlive its namespace; and
 * {@code ip netns} and CNI tooling find it there. It is recorded before it is created, so a killed
 * prepare leaves a record that gc finds.
 */
final class PodNetworkNamespace {
    static final Path NETNS_DIR = Path.of("/run/netns");
    static final String PREFIX = "bosun-";
    /** The record's name in {@code net/}. */
    static final String RECORD = "netns";
    private static final List<Path> UNSHARE = List.of(Path.of("/usr/bin/unshare"), Path.of("/bin/unshare"));
    private static final List<Path> IP = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"),
            Path.of("/bin/ip"));

    /** Set once seen: nothing in bosun makes {@code /run/netns} private again. */
    private static volatile boolean netnsDirShared;

    private final PodFiles files;

    PodNetworkNamespace(PodFiles files) {
        this.files = files;
    }

    /** The pod's network namespace, or null for host networking (or once it was released). */
    static Path recorded(Path podDir) {
        String recorded = PodNetRecords.readLine(podDir, RECORD);
        return recorded == null ? null : Path.of(recorded);
    }

    /** A new named namespace; with {@code loopbackUp} (--net=none) its lo is up, as CNI's loopback would leave it. */
    Path create(Path podDir, String uuid, boolean loopbackUp) {
        String name = PREFIX + uuid.replace("-", "").substring(0, 8);
        if (Files.exists(NETNS_DIR.resolve(name))) {
            name = PREFIX + uuid; // another pod has the short name
        }
        Path netns = NETNS_DIR.resolve(name);
        PodNetRecords.createDir(podDir);
        // Recorded first: a kill between the two steps leaves a record without a namespace, never the reverse.
        files.writeText(PodNetRecords.file(podDir, RECORD), netns + "\n");
        Path unshare = UNSHARE.stream().filter(Files::isExecutable).findFirst().orElse(null);
        if (loopbackUp && unshare != null && netnsDirIsShared()) {
            createWithLoopbackUp(unshare, netns, podDir);
            return netns;
        }
        try {
            ip("netns", "add", name);
        } catch (BosunException e) {
            PodNetRecords.remove(podDir, RECORD);
            throw e;
        }
        if (loopbackUp) {
            ip("-n", name, "link", "set", "lo", "up"); // on failure, the caller's undo deletes the namespace
        }
        return netns;
    }

    /**
     * Deletes the pod's namespace and its record. Safe to call again, and on a record whose
     * namespace was never made (a prepare killed between the two).
     */
    void delete(Path podDir, String uuid) {
        Path netns = recorded(podDir);
        if (netns == null) {
            return;
        }
        String name = netns.getFileName().toString();
        if (!NETNS_DIR.equals(netns.getParent()) || !name.startsWith(PREFIX)) {
            throw BosunException.invalid("pod " + uuid + ": " + PodNetRecords.file(podDir, RECORD) + " names " + netns
                    + ", which bosun does not create; check that namespace, then remove the file");
        }
        if (Files.exists(netns)) {
            ip("netns", "delete", name);
        }
        PodNetRecords.remove(podDir, RECORD);
    }

    /**
     * A process living in the namespace, or -1 when none does: a namespace whose pod record is
     * orphaned may still serve a pod whose data directory is merely out of reach (unmounted,
     * renamed); such a namespace is not released.
     */
    static long processIn(Path netns) {
        Object inode;
        try {
            inode = Files.getAttribute(netns, "unix:ino");
        } catch (java.nio.file.NoSuchFileException gone) {
            return -1;
        } catch (IOException e) {
            throw BosunException.internal("cannot stat the network namespace " + netns + ": " + e.getMessage(), e);
        }
        String wanted = "net:[" + inode + "]";
        try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readSymbolicLink(proc.resolve("ns/net")).toString().equals(wanted)) {
                        return Long.parseLong(name);
                    }
                } catch (IOException exitedOrNotOurs) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot list /proc: " + e.getMessage(), e);
        }
        return -1;
    }

    /**
     * What {@code ip netns add NAME} and {@code ip -n NAME link set lo up} do, in one process instead
     * of two (each costs a fork of this JVM): the file is created as ip creates it, and
     * {@code unshare --net=FILE} bind-mounts the new namespace onto it from the caller's mount
     * namespace, then runs {@code ip link set lo up} inside. Only once {@code /run/netns} is the
     * shared mount {@code ip netns add} makes of it, so the namespace shows in other mount
     * namespaces the same way; {@code ip netns} lists it and {@code ip netns delete} removes it.
     */
    private static void createWithLoopbackUp(Path unshare, Path netns, Path podDir) {
        try {
            Files.createFile(netns);
        } catch (IOException e) {
            PodNetRecords.remove(podDir, RECORD);
            throw BosunException.unavailable("cannot create the network namespace file " + netns + ": " + e.getMessage());
        }
        try {
            run(List.of(unshare.toString(), "--net=" + netns, ipCommand().toString(), "link", "set", "lo", "up"));
        } catch (BosunException e) {
            try {
                ip("netns", "delete", netns.getFileName().toString());
                PodNetRecords.remove(podDir, RECORD);
            } catch (BosunException undo) {
                e.addSuppressed(undo); // the record stays: gc deletes the namespace
            }
            throw e;
        }
    }

    private static boolean netnsDirIsShared() {
        if (!netnsDirShared) {
            try {
                netnsDirShared = MountInfo.read().stream().anyMatch(m -> m.mountPoint().equals(NETNS_DIR)
                        && m.optionalFields().stream().anyMatch(o -> o.startsWith("shared:")));
            } catch (IOException e) {
                return false;
            }
        }
        return netnsDirShared;
    }

    private static Path ipCommand() {
        return IP.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> BosunException.unavailable(
                "a pod's own network namespace needs iproute2's ip command; install iproute2, or use --net=host"));
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ipCommand().toString());
        command.addAll(List.of(args));
        run(command);
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.unavailable("'" + String.join(" ", command) + "' did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw BosunException.unavailable("'" + String.join(" ", command) + "' failed: "
                        + output.replaceAll("\\s*\\R\\s*", "; "));
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run " + command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("'" + String.join(" ", command) + "' was interrupted");
        }
    }
}
