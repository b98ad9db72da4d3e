package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.bosun.api.stage1.PodDirectory;

/**
 * The pod's /sys: a sysfs of its own network namespace, read-only, with the masked paths masked.
 *
 * <p>A sysfs shows the network of the process that mounts it, and systemd-nspawn binds the /sys it
 * sees into the pod (the apps' units bind that on): the host's, where /sys/class/net lists every
 * host interface. The run script runs in the pod's network namespace (see
 * {@link PodNetworkFiles#networkStep}), so the /sys of its own mount namespace becomes a sysfs it
 * mounts there, read-only, with the host's cgroup hierarchies bound on it as before
 * (systemd-nspawn places the pod in them) and none of the host's other mounts below /sys. For the
 * host's network it is the host's sysfs again, without those mounts.
 *
 * <p>The masked paths below /sys are masked for the whole pod by systemd-nspawn
 * ({@code --inaccessible=}, which the apps' units bind on with /sys): an app's unit asks systemd
 * for them too ({@code InaccessiblePaths=}, see {@link AppSecurity}), but systemd looks for them
 * in the app's root before it mounts /sys there, finds nothing and skips them. So the paths that
 * every app of the pod masks are masked here; /sys/fs/cgroup stays, the pod's systemd runs on it:
 * of a masked path above it, everything else is masked.
 */
final class PodSysfs {
    static final Path SYS = Path.of("/sys");
    static final Path CGROUP = SYS.resolve("fs/cgroup");

    private PodSysfs() {
    }

    /** systemd-nspawn's flags for the paths below /sys that every app of the pod masks and this host has. */
    static List<String> nspawnFlags(PodDirectory pod) {
        Set<String> every = null;
        for (PodDirectory.App app : pod.apps()) {
            Set<String> own = new LinkedHashSet<>();
            for (String path : app.security().maskedPaths()) {
                // only below /sys; systemd-nspawn splits nothing in it, a path that leaves /sys is not taken
                if (path.startsWith("/sys/") && !(path + "/").contains("/../") && !path.contains(":")) {
                    own.add(path);
                }
            }
            if (every == null) {
                every = own;
            } else {
                every.retainAll(own);
            }
        }
        Set<Path> masked = new TreeSet<>();
        if (every != null) {
            every.forEach(p -> mask(Path.of(p).normalize(), masked));
        }
        List<String> flags = new ArrayList<>();
        masked.forEach(p -> flags.add("--inaccessible=" + p));
        return flags;
    }

    /** {@code path}, or for an ancestor of /sys/fs/cgroup everything in it except the way there. */
    private static void mask(Path path, Set<Path> masked) {
        // systemd-nspawn refuses a path the pod lacks; the pod's sysfs has what the host's has
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(path) || path.equals(CGROUP)) {
            return;
        }
        if (!CGROUP.startsWith(path)) {
            masked.add(path);
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path entry : entries) {
                mask(entry, masked);
            }
        } catch (IOException e) {
            masked.add(path); // unreadable: nothing of it is the pod's systemd's way to its cgroups
        }
    }

    /**
     * The run script's part, in its private mount namespace, before systemd-nspawn starts: the
     * pod's own sysfs on /sys, with the host's cgroup hierarchies bound on it; and the empty nodes
     * that systemd-nspawn mounts over an inaccessible path, which the host's systemd makes where
     * one runs the host (none here), on a tmpfs of this mount namespace.
     */
    static String runScriptPart() {
        return "empty=/run/systemd/inaccessible\n"
                + "if ! { /usr/bin/mkdir -p \"$empty\" && /usr/bin/mount -t tmpfs -o mode=0755,size=4k,nosuid,nodev,noexec bosun-inaccessible \"$empty\" \\\n"
                + "        && /usr/bin/mkdir -m 0000 \"$empty/dir\" && : > \"$empty/reg\" && /usr/bin/chmod 0000 \"$empty/reg\" \\\n"
                + "        && /usr/bin/mount -o remount,ro \"$empty\"; }; then\n"
                + "    echo \"bosun: cannot make the empty nodes that mask paths in the pod\" >&2\n"
                + "    exit 125\n"
                + "fi\n"
                + "sys=/run/systemd/nspawn/bosun-sys\n"
                + "if ! { /usr/bin/mkdir \"$sys\" && /usr/bin/mount -t sysfs -o ro,nosuid,nodev,noexec sysfs \"$sys\" \\\n"
                + "        && /usr/bin/mount --rbind /sys/fs/cgroup \"$sys/fs/cgroup\" && /usr/bin/mount --move \"$sys\" /sys; }; then\n"
                + "    echo \"bosun: cannot give the pod a sysfs of its own network namespace\" >&2\n"
                + "    exit 125\n"
                + "fi\n";
    }
}
