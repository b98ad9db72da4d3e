package org.bosun.stage1.nspawn;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.bosun.api.stage1.PodDirectory;

/**
 * The stage1 tree's {@code /etc/passwd} and {@code /etc/group}: the accounts the pod's systemd
 * resolves each app unit's {@code User=}, {@code Group=} and {@code SupplementaryGroups=} against.
 *
 * <p>systemd resolves them through NSS in its own root, the stage1 tree, before it enters the app's
 * {@code RootDirectory=}; it refuses a numeric user or group that no database lists (exit status
 * 217/USER or 216/GROUP), and makes up only root and nobody itself. The app's image may name the
 * ids or not: the core has resolved the app's names to numbers against the image, and these files
 * list every number the pod's units use, under names of bosun's that no app sees (the app's own
 * {@code /etc} is its image's). No member lists: an app gets exactly the groups its unit names.
 */
final class PodAccounts {
    private PodAccounts() {
    }

    static String passwdFile(PodDirectory pod) {
        // uid to the group of the first app that runs as it; the unit's Group= is what the app gets
        Map<Long, Long> users = new TreeMap<>();
        for (PodDirectory.App app : pod.apps()) {
            users.putIfAbsent(Integer.toUnsignedLong(app.uid()), Integer.toUnsignedLong(app.gid()));
        }
        StringBuilder sb = new StringBuilder("root:x:0:0:root:/root:/usr/sbin/nologin\n");
        users.forEach((uid, gid) -> {
            if (uid != 0) {
                sb.append("bosun-uid-").append(uid).append(":x:").append(uid).append(':').append(gid)
                        .append(":bosun app user:/:/usr/sbin/nologin\n");
            }
        });
        return sb.toString();
    }

    static String groupFile(PodDirectory pod) {
        TreeSet<Long> gids = new TreeSet<>();
        for (PodDirectory.App app : pod.apps()) {
            app.supplementaryGids().forEach(g -> gids.add(Integer.toUnsignedLong(g)));
            gids.add(Integer.toUnsignedLong(app.gid()));
        }
        StringBuilder sb = new StringBuilder("root:x:0:\n");
        for (long gid : gids) {
            if (gid != 0) {
                sb.append("bosun-gid-").append(gid).append(":x:").append(gid).append(":\n");
            }
        }
        return sb.toString();
    }
}
