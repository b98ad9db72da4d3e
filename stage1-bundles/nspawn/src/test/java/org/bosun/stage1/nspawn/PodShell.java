package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of the stage1 tree as the pod's systemd would, as root, in namespaces of its own:
 * a private mount namespace where /run and /opt are empty tmpfs (the stage1 tree's /run/bosun and
 * /opt/stage2 are made there) and host programs it calls ({@code systemctl}, {@code systemd}) are
 * replaced by stand-ins, and a PID namespace, whose end takes every process the script left.
 */
final class PodShell {
    private final Path dir;
    private final List<String> binds = new ArrayList<>();

    PodShell(Path dir) {
        this.dir = dir;
    }

    /** The host's {@code program} is {@code script} (sh) in the namespace. */
    PodShell stub(String program, String script) throws IOException {
        Path file = dir.resolve("stub-" + binds.size());
        Files.writeString(file, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        binds.add("mount --bind " + file + " " + program);
        return this;
    }

    /** Runs {@code script} (sh, with the files of {@code files} written first) and returns what it printed. */
    Result run(Map<String, String> files, String script) throws Exception {
        StringBuilder setup = new StringBuilder("set -e\nmount -t tmpfs bosun-test /run\nmount -t tmpfs bosun-test /opt\n");
        binds.forEach(b -> setup.append(b).append('\n'));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path source = dir.resolve("file-" + f.getKey().replace('/', '_'));
            Files.writeString(source, f.getValue());
            setup.append("mkdir -p \"$(dirname ").append(f.getKey()).append(")\"\ncp ").append(source).append(' ')
                    .append(f.getKey()).append('\n');
        }
        setup.append("set +e\n").append(script);
        Process p = new ProcessBuilder("/usr/bin/unshare", "--mount", "--propagation", "private", "--pid", "--fork",
                "--mount-proc", "--", "/usr/bin/sh", "-c", setup.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p, true));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, false));
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the script did not end; stderr so far: " + err.getNow(""));
        }
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    }

    private static String read(Process p, boolean stdout) {
        try {
            return new String((stdout ? p.getInputStream() : p.getErrorStream()).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Result(int exitCode, String stdout, String stderr) {
    }
}
