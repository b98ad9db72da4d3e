package org.bosun.core;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.host.archive.ConfinedTree;

/**
 * The app's command, checked at prepare in the image's rendered tree: a command that is not there
 * failed only when the pod ran, in each engine's own way (systemd's exit code 203 and no message on
 * nspawn, catatonit's message and 1 on oci). The path is resolved as the app will see it: links
 * followed inside the tree only. A path below one of the app's mount targets lies in a volume, not
 * in the image, and is left to the engine.
 */
final class AppExecutable {
    private AppExecutable() {
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
