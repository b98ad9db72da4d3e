package org.bosun.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.bosun.host.archive.ConfinedTree;

/**
 * Finds an app's command in its image's tree the way the app itself would see it after its root
 * changed to that tree: an absolute path as it is, a bare name in each directory of the app's
 * {@code PATH} in turn, a relative path with a slash against the working directory. Symbolic links
 * are resolved inside the tree only (an absolute target starts again at its top). The command keeps
 * the name it was found under, not its link's target: busybox tells its applets apart by that name.
 */
final class ImageExecutables {
    private ImageExecutables() {
    }

    /**
     * @param rootfs     the image's rendered tree
     * @param command    the first word of the app's exec
     * @param path       the app's {@code PATH} (colon-separated), or null for none
     * @param workingDir the app's working directory, absolute
     * @return the command's absolute path inside the image, if it is an executable file there
     */
    static Optional<String> find(Path rootfs, String command, String path, String workingDir) {
        if (command.isEmpty()) {
            return Optional.empty();
        }
        if (command.startsWith("/")) {
            return executable(rootfs, command) ? Optional.of(command) : Optional.empty();
        }
        if (command.contains("/")) {
            String full = Path.of(workingDir).resolve(command).normalize().toString();
            return executable(rootfs, full) ? Optional.of(full) : Optional.empty();
        }
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            // An empty or relative PATH entry means the working directory to a shell; no image relies on it.
            if (!dir.startsWith("/")) {
                continue;
            }
            String full = dir.endsWith("/") ? dir + command : dir + "/" + command;
            if (executable(rootfs, full)) {
                return Optional.of(full);
            }
        }
        return Optional.empty();
    }

    private static boolean executable(Path rootfs, String inImage) {
        try {
            Path file = new ConfinedTree(rootfs).resolve(inImage);
            return Files.isRegularFile(file) && Files.isExecutable(file);
        } catch (ConfinedTree.Refused e) {
            return false;
        }
    }
}
