package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.security.IdMapping;
import org.bosun.api.stage1.PodDirectory;

/**
 * A {@code --private-users} pod under systemd-nspawn: {@code --private-users=HOSTID:SIZE} with the
 * range the userns module allocated, and no ownership change by systemd-nspawn
 * ({@code --private-users-ownership=off}): the apps' rootfs were copied and shifted into the range
 * at prepare. What the pod's own root must write besides is given to it here: the stage1 tree
 * systemd boots, and each app's directory (where the reaper writes the app's exit code and the
 * logger its log), not recursively; the apps' rootfs are already the pod's.
 */
final class PodUserNamespace {
    private PodUserNamespace() {
    }

    /** systemd-nspawn's flags; none for a pod without a user namespace. */
    static List<String> nspawnFlags(PodDirectory pod) {
        IdMapping mapping = pod.settings().userNamespace();
        if (mapping == null) {
            return List.of();
        }
        return List.of("--private-users=" + mapping.host() + ":" + mapping.size(), "--private-users-ownership=off");
    }

    /** Hands the stage1 tree and the apps' directories to the pod's root; nothing without a user namespace. */
    static void prepare(PodDirectory pod) {
        IdMapping mapping = pod.settings().userNamespace();
        if (mapping == null) {
            return;
        }
        try {
            Path root = pod.stage1Dir().resolve(Stage1Tree.ROOTFS);
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    give(dir, mapping);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    give(file, mapping);
                    return FileVisitResult.CONTINUE;
                }
            });
            for (PodDirectory.App app : pod.apps()) {
                give(app.rootfs().getParent(), mapping);
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot give pod " + pod.uuid() + "'s stage1 files to its user namespace"
                    + " (host ids " + mapping.host() + ".." + (mapping.host() + mapping.size() - 1) + "): "
                    + e.getMessage(), e);
        }
        Notes.add(pod, "--private-users: the pod's uids and gids 0.." + (mapping.size() - 1) + " are host ids "
                + mapping.host() + ".." + (mapping.host() + mapping.size() - 1));
    }

    /**
     * Hands an app added to a running sandbox its directory, as {@link #prepare} does for the pod's
     * own apps; nothing without a user namespace.
     */
    static void giveApp(PodDirectory pod, PodDirectory.App app) {
        IdMapping mapping = pod.settings().userNamespace();
        if (mapping == null) {
            return;
        }
        try {
            give(app.rootfs().getParent(), mapping);
        } catch (IOException e) {
            throw BosunException.internal("cannot give the directory of app " + app.name() + " of pod " + pod.uuid()
                    + " to its user namespace: " + e.getMessage(), e);
        }
    }

    /** Container root owns it: host-root-owned files of the stage1 tree become the pod root's. */
    private static void give(Path path, IdMapping mapping) throws IOException {
        int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (uid == 0) {
            Files.setAttribute(path, "unix:uid", (int) mapping.host(), LinkOption.NOFOLLOW_LINKS);
        }
        if (gid == 0) {
            Files.setAttribute(path, "unix:gid", (int) mapping.host(), LinkOption.NOFOLLOW_LINKS);
        }
    }
}
