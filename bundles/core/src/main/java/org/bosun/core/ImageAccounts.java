package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.host.archive.ConfinedTree;

/**
 * The accounts of an image: a user or group given as a number; as a name, resolved against the
 * image's own /etc/passwd and /etc/group; or, as the appc spec allows, as the absolute path of a file
 * in the image, whose owner (user) or group (group) it is.
 */
final class ImageAccounts {
    private ImageAccounts() {
    }

    static int uid(Path rootfs, String user, String image) {
        return resolve(rootfs, "etc/passwd", user, 2, "user", image);
    }

    static int gid(Path rootfs, String group, String image) {
        return resolve(rootfs, "etc/group", group, 2, "group", image);
    }

    /**
     * The group of a user given without one (a Docker {@code User} of just a name or uid): as Docker,
     * the user's primary group from the image's /etc/passwd; gid 0 for no user, and for a numeric
     * user that /etc/passwd does not list (or when the image has none).
     */
    static int primaryGid(Path rootfs, String user, String image) {
        if (user == null || user.isEmpty()) {
            return 0;
        }
        if (user.startsWith("/")) {
            user = Integer.toUnsignedString(uid(rootfs, user, image));
        }
        boolean numeric = user.matches("\\d{1,10}");
        if (numeric && !isSafeFile(rootfs, "etc/passwd")) {
            return 0;
        }
        for (String[] fields : entries(rootfs, "etc/passwd", user, "user", image)) {
            if (fields.length > 3 && (numeric ? fields[2].equals(user) : fields[0].equals(user))
                    && fields[3].matches("\\d{1,10}")) {
                return id(fields[3], "group", image);
            }
        }
        if (numeric) {
            return 0;
        }
        throw BosunException.invalid("user '" + user + "' is not in /etc/passwd of image " + image
                + ", or has no numeric primary group there; give a numeric user or a group");
    }

    /**
     * The groups the image's /etc/group lists the app's user in, as docker and containerd add them to
     * a container's supplementary groups: the user by its name, given or, for a numeric user (or a
     * file's owner), the first /etc/passwd entry of {@code uid}; without a name (no such entry, no
     * /etc/passwd) there are none. group(5): {@code group_name:password:GID:user_list}, the user list
     * comma-separated. Lines that are not such an entry (too few fields, a GID that is not a number,
     * blank lines, NIS {@code +}/{@code -} entries) are skipped, as glibc's files backend skips what it
     * cannot parse; {@code primaryGid} is left out, and each group comes once, in file order. An image
     * without a regular /etc/group (or one reached through a symbolic link) lists no groups.
     */
    static List<Integer> memberGids(Path rootfs, String user, int uid, int primaryGid) {
        String name = user == null || user.isEmpty() || user.matches("\\d{1,10}") || user.startsWith("/") ? null : user;
        if (name == null && isSafeFile(rootfs, "etc/passwd")) {
            for (String[] fields : lines(rootfs, "etc/passwd")) {
                if (fields.length > 2 && fields[2].equals(Integer.toUnsignedString(uid)) && !fields[0].isEmpty()) {
                    name = fields[0];
                    break;
                }
            }
        }
        List<Integer> gids = new ArrayList<>();
        if (name == null || !isSafeFile(rootfs, "etc/group")) {
            return gids;
        }
        for (String[] fields : lines(rootfs, "etc/group")) {
            if (fields.length < 4 || fields[0].isEmpty() || fields[0].startsWith("+") || fields[0].startsWith("-")
                    || !fields[2].matches("\\d{1,10}") || Long.parseLong(fields[2]) > 0xFFFF_FFFEL) {
                continue;
            }
            int gid = (int) Long.parseLong(fields[2]);
            if (gid == primaryGid || gids.contains(gid)) {
                continue;
            }
            for (String member : fields[3].split(",")) {
                if (member.trim().equals(name)) {
                    gids.add(gid);
                    break;
                }
            }
        }
        return gids;
    }

    /** The lines of a file of the image, split into fields; none when it cannot be read. */
    private static List<String[]> lines(Path rootfs, String file) {
        List<String[]> entries = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(rootfs.resolve(file), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                entries.add(line.split(":", -1));
            }
        } catch (IOException e) {
            // an unreadable account file lists no one
        }
        return entries;
    }

    private static int resolve(Path rootfs, String file, String name, int idField, String what, String image) {
        if (name == null || name.isEmpty()) {
            return 0;
        }
        if (name.matches("\\d{1,10}")) {
            return id(name, what, image);
        }
        if (name.startsWith("/")) {
            return ownerOf(rootfs, name, what, image);
        }
        for (String[] fields : entries(rootfs, file, name, what, image)) {
            if (fields.length > idField && fields[0].equals(name) && fields[idField].matches("\\d{1,10}")) {
                return (int) Long.parseLong(fields[idField]);
            }
        }
        throw BosunException.invalid(what + " '" + name + "' is not in /" + file + " of image " + image
                + "; give a numeric " + what + " or a name the image defines");
    }

    /**
     * The owning user or group of the file at {@code path} in the image, its path resolved as the app
     * would see it (a symbolic link leads inside the rootfs, never out of it).
     */
    private static int ownerOf(Path rootfs, String path, String what, String image) {
        Path file;
        try {
            file = new ConfinedTree(rootfs).resolve(path);
        } catch (ConfinedTree.Refused e) {
            throw BosunException.invalid(what + " " + path + " of image " + image + " leads out of the image or through"
                    + " a loop of symbolic links; give a file inside the image, a name or a number");
        }
        try {
            Object id = Files.getAttribute(file, "unix:" + (what.equals("user") ? "uid" : "gid"), LinkOption.NOFOLLOW_LINKS);
            return (Integer) id;
        } catch (NoSuchFileException e) {
            throw BosunException.invalid(what + " " + path + " is not a file in image " + image
                    + "; give an existing file, a name or a number");
        } catch (IOException e) {
            throw BosunException.invalid("cannot read the owner of " + path + " in image " + image + ": " + e.getMessage());
        }
    }

    private static int id(String number, String what, String image) {
        long id = Long.parseLong(number);
        if (id > 0xFFFF_FFFEL) {
            throw BosunException.invalid(what + " id " + number + " of image " + image + " is out of range");
        }
        return (int) id;
    }

    /**
     * The image is untrusted: its /etc/passwd must be a regular file inside the rootfs, reached
     * through no symbolic link (rootfs/etc -> /etc would read the host's).
     */
    private static boolean isSafeFile(Path rootfs, String file) {
        Path db = rootfs.resolve(file);
        boolean linked = false;
        for (Path p = db.getParent(); p != null && !p.equals(rootfs); p = p.getParent()) {
            linked |= Files.isSymbolicLink(p);
        }
        return !linked && Files.isRegularFile(db, LinkOption.NOFOLLOW_LINKS);
    }

    /** The lines of the image's {@code file}, split into fields; refuses a missing or linked file naming {@code name}. */
    private static List<String[]> entries(Path rootfs, String file, String name, String what, String image) {
        if (!isSafeFile(rootfs, file)) {
            throw BosunException.invalid(what + " '" + name + "' cannot be resolved: image " + image + " has no /"
                    + file + "; give a numeric " + what);
        }
        try {
            List<String[]> entries = new ArrayList<>();
            for (String line : Files.readAllLines(rootfs.resolve(file))) {
                entries.add(line.split(":", -1));
            }
            return entries;
        } catch (IOException e) {
            throw BosunException.invalid("cannot read /" + file + " of image " + image + ": " + e.getMessage());
        }
    }
}
