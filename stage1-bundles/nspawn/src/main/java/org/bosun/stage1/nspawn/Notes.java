package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

/** The pod's {@code notes}: what was decided on the user's behalf, one line each, shown by {@code --debug}. */
final class Notes {
    static final String FILE = "notes";

    private Notes() {
    }

    static void add(PodDirectory pod, String line) {
        try {
            Files.writeString(pod.path().resolve(FILE), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw BosunException.internal("cannot write " + pod.path().resolve(FILE) + ": " + e.getMessage(), e);
        }
    }
}
