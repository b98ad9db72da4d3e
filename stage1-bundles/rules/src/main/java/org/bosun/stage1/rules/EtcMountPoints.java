package org.bosun.stage1.rules;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

/**
 * The mount points of the pod's {@code etc/} files ({@code resolv.conf}, {@code hosts},
 * {@code hostname}) in each app, made at prepare time, before any app runs: a regular file in the
 * app's own copy of its rootfs, or in its overlay's upper layer, never in an image tree of the
 * store.
 *
 * <p>An engine would otherwise leave the mount point to its tool: the OCI runtimes create a
 * missing one themselves, but they and systemd follow a symbolic link in the image
 * ({@code /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf}) and bind over whatever file
 * it leads to, leaving the app a link where it expects the pod's file. Here a link in the app's own
 * layer is replaced by a regular file, an image's link is shadowed by one in the upper layer, and
 * an image whose whole {@code /etc} is a link is refused with a clear message.
 */
public final class EtcMountPoints {
    /** The pod's etc files an engine binds over each app's, in this order. */
    public static final List<String> FILES = List.of("resolv.conf", "hosts", "hostname");

    private EtcMountPoints() {
    }

    /** The etc files the pod has, in {@link #FILES} order. */
    public static List<String> present(PodDirectory pod) {
        Path etc = pod.settings().etcDir();
        if (etc == null) {
            return List.of();
        }
        return FILES.stream().filter(f -> Files.isRegularFile(etc.resolve(f))).toList();
    }

    /**
     * The etc files the pod binds over {@code app}'s, in {@link #FILES} order: those it has, less
     * those a volume of the app's is mounted on. A volume on {@code /etc/hosts} wins over the pod's
     * file, as it did in rkt.
     */
    public static List<String> present(PodDirectory pod, PodDirectory.App app) {
        return present(pod).stream().filter(f -> !mountedOver(app, f)).toList();
    }

    /** Whether a volume of {@code app}'s is mounted on {@code /etc/FILE}, which then wins over the pod's file. */
    public static boolean mountedOver(PodDirectory.App app, String file) {
        return app.mounts().stream().anyMatch(m -> Path.of(m.target()).normalize().equals(Path.of("/etc", file)));
    }

    /** Makes sure each app has a regular file to bind each of the pod's etc files on. */
    public static void prepare(PodDirectory pod) {
        for (PodDirectory.App app : pod.apps()) {
            List<String> files = present(pod, app);
            if (files.isEmpty()) {
                continue;
            }
            try {
                prepare(app, files);
            } catch (IOException e) {
                throw BosunException.internal("app " + app.name() + " of pod " + pod.uuid()
                        + ": cannot create the mount points of its /etc files: " + e.getMessage(), e);
            }
        }
    }

    private static void prepare(PodDirectory.App app, List<String> files) throws IOException {
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
                    continue; // the image's own file is the mount point; binding over it changes no layer
                }
            }
            if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(etc, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                if (lowerEtc != null && Files.isDirectory(lowerEtc, LinkOption.NOFOLLOW_LINKS)) {
                    // The merged /etc takes its owner and mode from the upper layer's directory.
                    for (String attribute : List.of("unix:mode", "unix:uid", "unix:gid")) {
                        Files.setAttribute(etc, attribute, Files.getAttribute(lowerEtc, attribute, LinkOption.NOFOLLOW_LINKS));
                    }
                }
            }
            if (Files.isSymbolicLink(file)) {
                // The app's own copy or upper layer: the runtime would follow the link and bind elsewhere.
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
