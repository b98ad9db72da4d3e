package org.bosun.security.selinux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.bosun.api.BosunException;

/**
 * What SELinux on this host says, read as rkt read it: enabled when selinuxfs is mounted
 * ({@code /sys/fs/selinux/enforce}), the loaded policy's type from {@code /etc/selinux/config}
 * ({@code SELINUXTYPE=}), and the container contexts from that policy's
 * {@code contexts/lxc_contexts} ({@code process = "..."}, {@code file = "..."}). Both roots are
 * parameters, so tests give a fake selinuxfs and policy tree.
 *
 * @param selinuxfs where selinuxfs is mounted
 * @param configDir the SELinux configuration ({@code /etc/selinux})
 */
record SelinuxHost(Path selinuxfs, Path configDir) {
    /** The container contexts: the process label and the file (mount) label, both without categories. */
    record Contexts(String process, String file) {
    }

    /** Null when SELinux can label pods here; otherwise one line saying why not. */
    String inactiveReason() {
        if (!Files.exists(selinuxfs.resolve("enforce"))) {
            return "SELinux is not enabled on this host (no " + selinuxfs.resolve("enforce") + ")";
        }
        String type = policyType();
        if (type == null) {
            return "no SELINUXTYPE= in " + configDir.resolve("config");
        }
        if (!Files.isRegularFile(lxcContexts(type))) {
            return "the SELinux policy '" + type + "' has no container contexts (" + lxcContexts(type) + ")";
        }
        return null;
    }

    /** Whether SELinux enforces (1) rather than only logs (0). */
    boolean enforcing() {
        try {
            return Files.readString(selinuxfs.resolve("enforce")).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    String policyType() {
        try {
            for (String line : Files.readAllLines(configDir.resolve("config"), StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (l.startsWith("SELINUXTYPE=")) {
                    String type = l.substring("SELINUXTYPE=".length()).strip();
                    return type.isEmpty() || type.contains("/") ? null : type;
                }
            }
            return null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + configDir.resolve("config") + ": " + e.getMessage(), e);
        }
    }

    Path lxcContexts(String type) {
        return configDir.resolve(type).resolve("contexts").resolve("lxc_contexts");
    }

    /** The policy's container contexts; the policy must be usable ({@link #inactiveReason()} null). */
    Contexts contexts() {
        Path file = lxcContexts(policyType());
        Map<String, String> values = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                int eq = l.indexOf('=');
                if (l.isEmpty() || l.startsWith("#") || eq < 0) {
                    continue;
                }
                String value = l.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                values.put(l.substring(0, eq).strip(), value);
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
        String process = values.get("process");
        String fileLabel = values.get("file");
        if (process == null || fileLabel == null || process.split(":").length < 4 || fileLabel.split(":").length < 4) {
            throw BosunException.unavailable(file + " does not give a process and a file context"
                    + " (user:role:type:level); fix the policy, or remove the selinux module");
        }
        return new Contexts(process, fileLabel);
    }
}
