package org.bosun.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.PrepareRequest;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The flags {@code prepare} and {@code run} share: pod-level flags before the first image, then
 * {@code IMAGE [app flags] [-- args] [--- IMAGE ...]} as in rkt.
 */
final class PodOptions {
    @Option(names = "--stage1-name", paramLabel = "NAME",
            description = "the stage1 engine (default: from stage1.d, else nspawn); 'bosun version' lists them")
    String stage1Name;

    @Option(names = "--uuid-file-save", paramLabel = "FILE", description = "write the pod's UUID to FILE")
    String uuidFileSave;

    @Option(names = "--annotation", paramLabel = "NAME=VALUE", description = "a pod annotation (repeatable)")
    List<String> annotations = new ArrayList<>();

    @Option(names = "--set-env", paramLabel = "NAME=VALUE", description = "an environment variable for every app (repeatable)")
    List<String> setEnv = new ArrayList<>();

    @Parameters(paramLabel = "IMAGE [APP FLAGS] [-- ARGS] [--- IMAGE ...]",
            description = "images to run, each followed by its own flags: --name=NAME, --exec=PATH, --user=USER, --group=GROUP, --working-dir=DIR, --environment=NAME=VALUE (repeatable), then '--' and the arguments; '---' starts the next image")
    List<String> images = new ArrayList<>();

    PrepareRequest request(Session session) {
        Map<String, String> podEnv = keyValues(setEnv, "--set-env");
        List<AppRequest> apps = AppArguments.parse(images, podEnv, session);
        String engine = stage1Name != null ? stage1Name : session.global.configuration().defaultEngine();
        return new PrepareRequest(apps, engine, session.global.insecure(), keyValues(annotations, "--annotation"));
    }

    void saveUuid(Session session, String uuid) {
        if (uuidFileSave == null) {
            return;
        }
        Path file = session.resolve(uuidFileSave);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, uuid + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw BosunException.invalid("cannot write UUID file " + file + ": " + e.getMessage());
        }
    }

    static Map<String, String> keyValues(List<String> entries, String flag) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw BosunException.invalid(flag + " '" + entry + "' is not NAME=VALUE");
            }
            result.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return result;
    }
}
