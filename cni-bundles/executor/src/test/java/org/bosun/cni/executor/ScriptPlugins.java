package org.bosun.cni.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Stand-in plugins written as shell scripts, for the protocol cases the real plugins cannot be
 * made to show on demand (a hang, a crash, a chain that records its order). Each call appends
 * "COMMAND name" to calls.log and saves its stdin as name.COMMAND.json and its CNI variables as
 * name.COMMAND.env; what it prints per command is given by the test.
 */
final class ScriptPlugins {
    private final Path dir;

    ScriptPlugins(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** A plugin that runs {@code behaviour.get(command)} (shell) after recording the call. */
    void write(String name, Map<String, String> behaviour) throws IOException {
        StringBuilder script = new StringBuilder("""
                #!/bin/sh
                dir=$(dirname "$0")
                name=$(basename "$0")
                input=$(cat)
                echo "$CNI_COMMAND $name" >> "$dir/calls.log"
                printf '%s' "$input" > "$dir/$name.$CNI_COMMAND.json"
                env | grep '^CNI_' | sort > "$dir/$name.$CNI_COMMAND.env"
                case "$CNI_COMMAND" in
                """);
        for (Map.Entry<String, String> e : behaviour.entrySet()) {
            script.append(e.getKey()).append(")\n").append(e.getValue()).append("\n;;\n");
        }
        script.append("esac\n");
        Path file = dir.resolve(name);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Shell that prints {@code json} on stdout. */
    static String print(String json) {
        return "cat <<'EOF'\n" + json + "\nEOF";
    }

    List<String> calls() throws IOException {
        Path log = dir.resolve("calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    JsonNode input(String name, String command) throws IOException {
        return Json.MAPPER.readTree(dir.resolve(name + "." + command + ".json").toFile());
    }

    List<String> env(String name, String command) throws IOException {
        return Files.readAllLines(dir.resolve(name + "." + command + ".env"));
    }
}
