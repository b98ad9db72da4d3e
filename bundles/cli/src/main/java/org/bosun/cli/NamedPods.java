package org.bosun.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;

/** Pods named on the command line, directly or with {@code --uuid-file}. */
final class NamedPods {
    private NamedPods() {
    }

    static List<String> resolve(Session session, List<String> uuids, String uuidFile) {
        List<String> result = new ArrayList<>(uuids == null ? List.of() : uuids);
        if (uuidFile != null) {
            Path file = session.resolve(uuidFile);
            try {
                String uuid = Files.readString(file).trim();
                if (uuid.isEmpty()) {
                    throw BosunException.invalid("UUID file " + file + " is empty");
                }
                result.add(uuid);
            } catch (IOException e) {
                throw BosunException.notFound("cannot read UUID file " + file + ": " + e.getMessage());
            }
        }
        if (result.isEmpty()) {
            throw BosunException.invalid("no pod given; name a pod UUID (or a unique prefix) or use --uuid-file");
        }
        return result;
    }

    /**
     * Applies {@code action} to every pod named, going on after a failure: each failure is one line
     * on stderr, and the exit code is that of the last failure (0 if none).
     */
    static int forEach(Session session, String command, List<String> uuids, String uuidFile,
            java.util.function.Consumer<String> action) {
        int code = 0;
        for (String pod : resolve(session, uuids, uuidFile)) {
            try {
                action.accept(pod);
            } catch (BosunException e) {
                session.err.println("bosun " + command + ": " + e.getMessage());
                code = e.kind().exitCode();
            }
        }
        return code;
    }

    static String one(Session session, List<String> uuids, String uuidFile) {
        List<String> all = resolve(session, uuids, uuidFile);
        if (all.size() != 1) {
            throw BosunException.invalid("give exactly one pod, not " + all.size());
        }
        return all.get(0);
    }
}
