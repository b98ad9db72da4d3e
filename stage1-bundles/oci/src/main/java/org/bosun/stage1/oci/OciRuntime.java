package org.bosun.stage1.oci;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.bosun.api.BosunException;

/** The OCI runtimes the engine drives, and where their binaries are. */
enum OciRuntime {
    RUNC("runc"),
    CRUN("crun");

    /** Where the runtimes are looked for, in order (Debian puts runc in /usr/sbin, crun in /usr/bin). */
    static final List<Path> SEARCH_PATH = List.of(Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"),
            Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"), Path.of("/bin"));
    /** Used when neither --stage1-option=runtime= nor stage1.d chooses one: runc, the reference runtime. */
    static final OciRuntime DEFAULT = RUNC;

    final String command;

    OciRuntime(String command) {
        this.command = command;
    }

    /** The runtime named {@code name}, or the default for null; one clear line for anything else. */
    static OciRuntime named(String name) {
        if (name == null || name.isBlank()) {
            return DEFAULT;
        }
        for (OciRuntime r : values()) {
            if (r.command.equals(name.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw BosunException.invalid("the oci engine knows the runtimes runc and crun, not '" + name
                + "'; use --stage1-option=runtime=runc or runtime=crun");
    }

    /** The runtime's binary, or one clear line saying what to install. */
    Path path() {
        for (Path dir : SEARCH_PATH) {
            Path candidate = dir.resolve(command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw BosunException.unavailable("the oci engine's runtime " + command + " is not installed (looked in "
                + SEARCH_PATH + "); install the Debian package " + command + ", or choose the other runtime with "
                + "--stage1-option=runtime=" + (this == RUNC ? "crun" : "runc"));
    }
}
