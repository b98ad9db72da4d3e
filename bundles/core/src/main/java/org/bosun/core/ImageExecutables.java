package org.bosun.core;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.host.archive.ConfinedTree;

/**
 * An app's command in its image's tree, seen the way the app itself will see it after its root
 * changed to that tree: symbolic links are resolved inside the tree only (an absolute target starts
 * again at its top). {@link #find} looks a command up (an absolute path as it is, a bare name in each
 * directory of the app's {@code PATH} in turn, a relative path with a slash against the working
 * directory); the command keeps the name it was found under, not its link's target: busybox tells its
 * applets apart by that name. {@link #check} refuses at prepare, in one line, an absolute command the
 * image does not have: it failed only when the pod ran, in each engine's own way (systemd's exit code
 * 203 and no message on nspawn, catatonit's message and 1 on oci).
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

    /**
     * Refuses, in one line naming the path and the image, a command that the app's tree {@code tree}
     * does not hold as an executable file.
     *
     * @param command the command's path (absolute)
     * @param mountTargets where the app's volumes are mounted
     */
    static void check(Path tree, String command, List<String> mountTargets, String app, String image) {
        for (String target : mountTargets) {
            String t = target.endsWith("/") ? target : target + "/";
            if (command.startsWith(t) || command.equals(target)) {
                return;
            }
        }
        Path resolved;
        try {
            resolved = new ConfinedTree(tree).resolve(command);
        } catch (ConfinedTree.Refused e) {
            // A link the tree cannot follow (a loop): the engine reports what the kernel says.
            return;
        }
        String where = "the command " + command + " of app " + app;
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw BosunException.invalid(where + " does not exist in image " + image
                    + "; give a command the image has with --exec");
        }
        if (!Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw BosunException.invalid(where + " is not a file in image " + image
                    + "; give a command the image has with --exec");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(resolved, LinkOption.NOFOLLOW_LINKS);
            if (!perms.contains(PosixFilePermission.OWNER_EXECUTE) && !perms.contains(PosixFilePermission.GROUP_EXECUTE)
                    && !perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw BosunException.invalid(where + " is not executable in image " + image
                        + "; give a command the image has with --exec");
            }
        } catch (java.io.IOException e) {
            throw BosunException.internal("cannot read the mode of " + resolved + ": " + e.getMessage(), e);
        }
    }
}
