package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.bosun.api.BosunException;

/** Resolves user and group names against the image's own /etc/passwd and /etc/group. */
final class ImageUsers {
    private ImageUsers() {
    }

    static int uid(Path rootfs, String user, String image) {
        return resolve(rootfs, "etc/passwd", user, 2, "user", image);
    }

    static int gid(Path rootfs, String group, String image) {
        return resolve(rootfs, "etc/group", group, 2, "group", image);
    }

    private static int resolve(Path rootfs, String file, String name, int idField, String what, String image) {
        if (name == null || name.isEmpty()) {
            return 0;
        }
        if (name.matches("\\d{1,10}")) {
            long id = Long.parseLong(name);
            if (id > 0xFFFF_FFFEL) {
                throw BosunException.invalid(what + " id " + name + " of image " + image + " is out of range");
            }
            return (int) id;
        }
        Path db = rootfs.resolve(file);
        // The image is untrusted: its /etc/passwd must be a regular file inside the rootfs, reached
        // through no symbolic link (rootfs/etc -> /etc would read the host's).
        boolean linked = false;
        for (Path p = db.getParent(); p != null && !p.equals(rootfs); p = p.getParent()) {
            linked |= Files.isSymbolicLink(p);
        }
        if (linked || !Files.isRegularFile(db, LinkOption.NOFOLLOW_LINKS)) {
            throw BosunException.invalid(what + " '" + name + "' cannot be resolved: image " + image + " has no /"
                    + file + "; give a numeric " + what);
        }
        try {
            for (String line : Files.readAllLines(db)) {
                String[] fields = line.split(":", -1);
                if (fields.length > idField && fields[0].equals(name) && fields[idField].matches("\\d{1,10}")) {
                    return (int) Long.parseLong(fields[idField]);
                }
            }
        } catch (IOException e) {
            throw BosunException.invalid("cannot read /" + file + " of image " + image + ": " + e.getMessage());
        }
        throw BosunException.invalid(what + " '" + name + "' is not in /" + file + " of image " + image
                + "; give a numeric " + what + " or a name the image defines");
    }
}
