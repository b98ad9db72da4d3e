package org.bosun.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.rules.ExternalResource;

/** Named network namespaces a test may make: whatever of them is left afterwards is deleted, pass or fail. */
final class Namespaces extends ExternalResource {
    private final List<String> names = new ArrayList<>();

    static boolean available() {
        return "root".equals(System.getProperty("user.name"))
                && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")));
    }

    static boolean exists(String name) {
        return Files.exists(Path.of("/run/netns", name));
    }

    /** Runs {@code ip ARGS} and returns its output; fails the test when ip fails. */
    static String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    synchronized void add(String name) {
        names.add(name);
    }

    @Override
    protected synchronized void after() {
        for (String name : names) {
            if (exists(name)) {
                try {
                    ip("netns", "delete", name);
                } catch (IOException | InterruptedException e) {
                    System.err.println("cannot remove network namespace " + name + " after the test: " + e.getMessage());
                }
            }
        }
    }
}
