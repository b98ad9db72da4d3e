package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.host.archive.ConfinedTree;

/**
 * An app's working directory that its image lacks, made at prepare as runc makes it when the
 * container starts ({@code mkdir -p} of the process's cwd inside the container's root, as the
 * container's root, mode 0755) and as containerd's CRI and Docker therefore do: once here, for every
 * engine, so that none refuses or makes it in its own way. The path is resolved the way the app will
 * see it ({@link ConfinedTree}: links in the image followed inside the app's root, never out of it),
 * and only what is missing at its end is made, in the app's own copy of its rootfs or, for an
 * overlay, in its upper layer (each existing directory above it copied up with the image's owner and
 * mode, as overlayfs copies a directory up). Made before the user namespace module shifts a copied
 * rootfs's owners, so the pod's root owns it, as the container's root owns runc's.
 */
final class AppWorkingDirectory {
    private static final int MODE = 0755;

    private AppWorkingDirectory() {
    }

    /**
     * Makes {@code workingDirectory} (absolute) of app {@code app} where it is missing.
     *
     * @param image where the app's files are read: its copied rootfs, or the lower layer of its overlay
     * @param writable where what is missing is made: the copied rootfs again, or the overlay's upper layer
     */
    static void make(Path image, Path writable, String workingDirectory, String app) {
        ConfinedTree view = new ConfinedTree(image);
        Path resolved;
        try {
            resolved = view.resolve(workingDirectory);
        } catch (ConfinedTree.Refused e) {
            throw refused(workingDirectory, app, e.kind() == ConfinedTree.Refused.Kind.CLIMBS
                    ? "it leads out of the app's root through a symbolic link in its image"
                    : "it goes through more than " + ConfinedTree.MAX_LINKS + " symbolic links in its image");
        }
        Path relative = view.root().relativize(resolved);
        if (relative.toString().isEmpty()) {
            return;
        }
        List<Path> parts = new java.util.ArrayList<>();
        relative.forEach(parts::add);
        int missing = 0;
        Path inImage = view.root();
        for (; missing < parts.size(); missing++) {
            inImage = inImage.resolve(parts.get(missing));
            if (!Files.exists(inImage, LinkOption.NOFOLLOW_LINKS)) {
                break;
            }
            if (!Files.isDirectory(inImage, LinkOption.NOFOLLOW_LINKS)) {
                throw refused(workingDirectory, app, "/" + view.root().relativize(inImage) + " is not a directory in"
                        + " its image");
            }
        }
        if (missing == parts.size()) {
            return;
        }
        try {
            Path from = view.root();
            Path to = writable.toAbsolutePath().normalize();
            for (int i = 0; i < parts.size(); i++) {
                from = from.resolve(parts.get(i));
                to = to.resolve(parts.get(i));
                if (i < missing) {
                    copyUp(from, to);
                } else {
                    Files.createDirectory(to);
                    Files.setAttribute(to, "unix:mode", MODE, LinkOption.NOFOLLOW_LINKS);
                }
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot make the working directory " + workingDirectory + " of app " + app
                    + ": " + e.getMessage(), e);
        }
    }

    /** An image's directory in the upper layer of an overlay, where a directory below it is made; the copy itself. */
    private static void copyUp(Path imageDir, Path dir) throws IOException {
        if (dir.equals(imageDir)) {
            return; // a copied rootfs: the directory is there
        }
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            // bosun's own entries in the upper layer (etc/mtab) are never directories the image has
            throw new IOException(dir + " in the upper layer is not a directory");
        }
        Files.createDirectory(dir);
        for (String attribute : List.of("unix:mode", "unix:uid", "unix:gid")) {
            Files.setAttribute(dir, attribute, Files.getAttribute(imageDir, attribute, LinkOption.NOFOLLOW_LINKS),
                    LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static BosunException refused(String workingDirectory, String app, String why) {
        return BosunException.invalid("working directory " + workingDirectory + " of app " + app + " cannot be made: "
                + why + "; give another with --working-dir");
    }
}
