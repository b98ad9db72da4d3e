package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;

/**
 * The minimal init that is PID 1 of every app container, in front of the app: catatonit, the one
 * podman's {@code --init} uses.
 *
 * <p>Why an init: each app has a PID namespace of its own (apps of a pod do not see each other's
 * processes, as in rkt), so without one the app itself is PID 1, and the kernel drops every signal
 * that PID 1 has no handler for. {@code bosun stop} would then wait out the stop timeout and kill
 * the app (137) where nspawn ends it at once (143). Sharing the infra container's PID namespace
 * instead would give the apps a reaper but let them see and signal each other, and the infra's
 * {@code sleep} reaps nothing. catatonit (static, 900 KB, in Debian and installed with podman)
 * forwards the signals it gets to the app, reaps the zombies the app leaves, and exits with the
 * app's code, or 128 plus the signal that ended it, which is what the supervisor records.
 */
final class AppInit {
    /** Where Debian puts it: catatonit's own package, and podman's link to it. */
    static final List<Path> SEARCH_PATH = List.of(Path.of("/usr/bin/catatonit"), Path.of("/usr/libexec/podman/catatonit"),
            Path.of("/usr/local/bin/catatonit"));

    private AppInit() {
    }

    /** The host's catatonit, or one clear line saying what to install. */
    static Path find() {
        for (Path candidate : SEARCH_PATH) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                try {
                    return candidate.toRealPath();
                } catch (IOException e) {
                    // a dangling link: try the next
                }
            }
        }
        throw BosunException.unavailable("the oci engine needs catatonit, the init of each app container (looked for "
                + SEARCH_PATH.get(0) + " and " + SEARCH_PATH.get(1) + "); install the Debian package catatonit, or use "
                + "--stage1-name=nspawn");
    }
}
