package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

/**
 * The pod's network settings in systemd-nspawn terms: its network namespace (or the host's), and
 * its {@code etc/} files ({@code resolv.conf}, {@code hosts}, {@code hostname}), which the core wrote
 * into the pod and which each app's unit binds read-only over the app's own {@code /etc} files.
 * The images are never written: a missing mount point is created in the pod's own copy of the
 * rootfs, or in the overlay's upper layer.
 */
final class PodNetworkFiles {
    /** Where the pod's {@code etc/} is mounted inside the stage1 tree. */
    static final String ETC_IN_POD = "/opt/bosun-etc";
    static final List<String> FILES = List.of("resolv.conf", "hosts", "hostname");

    private PodNetworkFiles() {
    }

    /**
     * systemd-nspawn's network flags: the namespace the core created and attached, or none at all
     * for the host's network ({@code --net=host}, no netns).
     */
    static List<String> nspawnFlags(PodDirectory pod) {
        List<String> flags = new ArrayList<>();
        PodDirectory.Pod settings = pod.settings();
        if (settings.netns() != null) {
            flags.add("--network-namespace-path=" + settings.netns());
        }
        if (settings.etcDir() != null) {
            flags.add("--bind-ro=" + NspawnEngine.bindPath(settings.etcDir()) + ":" + ETC_IN_POD);
        }
        if (settings.hostname() != null) {
            flags.add("--hostname=" + settings.hostname());
        }
        return flags;
    }

    /** The etc files the pod has, in {@link #FILES} order. */
    static List<String> present(PodDirectory pod) {
        Path etc = pod.settings().etcDir();
        if (etc == null) {
            return List.of();
        }
        return FILES.stream().filter(f -> Files.isRegularFile(etc.resolve(f))).toList();
    }

    /** A unit's bind mounts of the pod's etc files over the app's. */
    static String unitLines(List<String> present) {
        StringBuilder sb = new StringBuilder();
        for (String file : present) {
            sb.append("BindReadOnlyPaths=").append(ETC_IN_POD).append('/').append(file).append(":/etc/").append(file)
                    .append('\n');
        }
        return sb.toString();
    }

    /** Makes sure each app has a regular file to bind the pod's etc files on. */
    static void prepareMountPoints(PodDirectory pod) {
        List<String> present = present(pod);
        if (present.isEmpty()) {
            return;
        }
        for (PodDirectory.App app : pod.apps()) {
            try {
                prepareMountPoints(app, present);
            } catch (IOException e) {
                throw BosunException.internal("app " + app.name() + " of pod " + pod.uuid()
                        + ": cannot create the mount points of its /etc files: " + e.getMessage(), e);
            }
        }
    }

    private static void prepareMountPoints(PodDirectory.App app, List<String> files) throws IOException {
        Path base = app.overlay() ? app.upperDir() : app.rootfs();
        Path etc = base.resolve("etc");
        Path lowerEtc = app.overlay() ? topmost(app, "etc") : null;
        if (Files.isSymbolicLink(etc) || (lowerEtc != null && Files.isSymbolicLink(lowerEtc)
                && !Files.exists(etc, LinkOption.NOFOLLOW_LINKS))) {
            throw BosunException.invalid("app " + app.name() + ": /etc is a symbolic link in its image, so the pod's"
                    + " resolv.conf, hosts and hostname cannot be bound over it; use an image with a real /etc");
        }
        for (String name : files) {
            Path file = etc.resolve(name);
            if (app.overlay() && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Path lower = topmost(app, "etc/" + name);
                if (lower != null && Files.isRegularFile(lower, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // the image's own file is the mount point
                }
            }
            if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(etc, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                if (lowerEtc != null && Files.isDirectory(lowerEtc, LinkOption.NOFOLLOW_LINKS)) {
                    // The overlay's /etc takes its owner and mode from the upper layer's directory.
                    for (String attribute : List.of("unix:mode", "unix:uid", "unix:gid")) {
                        Files.setAttribute(etc, attribute, Files.getAttribute(lowerEtc, attribute, LinkOption.NOFOLLOW_LINKS));
                    }
                }
            }
            if (Files.isSymbolicLink(file)) {
                // The pod's own copy or upper layer: a link (to a resolver's runtime file) would lead the bind astray.
                Files.delete(file);
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            } catch (FileAlreadyExistsException exists) {
                if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw BosunException.invalid("app " + app.name() + ": /etc/" + name + " in its image is not a"
                            + " regular file, so the pod's own cannot be bound over it");
                }
            }
        }
    }

    /** {@code relative} in the topmost lower layer that has it, or null. */
    private static Path topmost(PodDirectory.App app, String relative) {
        for (Path layer : app.lowerDirs()) {
            Path p = layer.resolve(relative);
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        return null;
    }
}
