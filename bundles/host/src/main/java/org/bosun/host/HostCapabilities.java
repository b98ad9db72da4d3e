package org.bosun.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.bosun.api.BosunException;

/**
 * The capabilities this host can give at all: its bounding set. A runtime asked for one outside it
 * fails the container ("unable to apply caps"); the machines bosun runs on may lack some (these
 * lack CAP_SYS_RESOURCE), so a policy's set, "every capability" with {@code --insecure-options}
 * included, is cut to what the host has, as systemd-nspawn does with {@code --capability=}.
 */
public final class HostCapabilities {
    private static final Path STATUS = Path.of("/proc/self/status");
    /** The capabilities by number (capabilities(7)). */
    public static final List<String> BY_NUMBER = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
            "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
            "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private HostCapabilities() {
    }

    /** {@code caps} without those outside the host's bounding set, sorted. */
    public static List<String> within(Iterable<String> caps) {
        return within(caps, boundingSet());
    }

    public static List<String> within(Iterable<String> caps, Set<String> host) {
        Set<String> kept = new TreeSet<>();
        caps.forEach(c -> {
            if (host.contains(c)) {
                kept.add(c);
            }
        });
        return List.copyOf(kept);
    }

    /** The bounding set of this process (the caller's), from {@code CapBnd:} of its status. */
    public static Set<String> boundingSet() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("CapBnd:")) {
                    return fromMask(Long.parseUnsignedLong(line.substring(7).trim(), 16));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw BosunException.internal("cannot read the capability bounding set from " + STATUS, e);
        }
        throw BosunException.internal(STATUS + " has no CapBnd line", null);
    }

    public static Set<String> fromMask(long mask) {
        Set<String> caps = new TreeSet<>();
        for (int i = 0; i < BY_NUMBER.size(); i++) {
            if ((mask >>> i & 1) == 1) {
                caps.add(BY_NUMBER.get(i));
            }
        }
        return caps;
    }
}
