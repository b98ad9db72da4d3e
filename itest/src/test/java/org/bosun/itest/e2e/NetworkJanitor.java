package org.bosun.itest.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The test harness's last resort when {@code bosun gc} cannot run (bosun itself does not start):
 * releases what the pods of a data directory hold outside it, from their records alone. For each
 * network in {@code <pod>/net/networks.json} (the CNI bundle's record) it runs the plugins' DEL in
 * reverse order exactly as the executor would (same configuration, runtime values, CNI_ARGS,
 * prevResult), which frees leases, veths and iptables rules; then it deletes the network namespace
 * named in {@code <pod>/net/netns}. {@code <pod>/net} is a link into the pod's host record
 * ({@code /var/lib/bosun-host/held/<uuid>/}), which goes too; a host record whose pod directory is
 * gone is released the same way ({@link #releaseHeldUnder}).
 */
final class NetworkJanitor {
    static final Path NETNS_DIR = Path.of("/run/netns");
    /** Where pods record what they hold on the host (the core's PodHoldings). */
    static final Path HELD = Path.of("/var/lib/bosun-host/held");
    static final String NETNS_PREFIX = "bosun-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private NetworkJanitor() {
    }

    /** Releases the networks of every pod under {@code data/pods/}; returns what it did and what failed. */
    static List<String> releaseAll(Path data) {
        List<String> report = new ArrayList<>();
        Path pods = data.resolve("pods");
        if (!Files.isDirectory(pods)) {
            return report;
        }
        try (DirectoryStream<Path> states = Files.newDirectoryStream(pods)) {
            for (Path state : states) {
                if (!Files.isDirectory(state)) {
                    continue;
                }
                try (DirectoryStream<Path> each = Files.newDirectoryStream(state)) {
                    for (Path pod : each) {
                        report.addAll(release(pod));
                    }
                }
            }
        } catch (IOException e) {
            report.add("cannot list " + pods + ": " + e);
        }
        return report;
    }

    /**
     * Releases the pods' host records naming a data directory under {@code dir} that are still
     * there (gc removes a pod's record with the pod); returns what it did, empty when there were none.
     */
    static List<String> releaseHeldUnder(Path dir) {
        List<String> report = new ArrayList<>();
        if (!Files.isDirectory(HELD)) {
            return report;
        }
        try (DirectoryStream<Path> each = Files.newDirectoryStream(HELD)) {
            for (Path held : each) {
                try {
                    JsonNode record = JSON.readTree(held.resolve("pod.json").toFile());
                    if (Path.of(record.path("dataDir").asText("/nonexistent")).startsWith(dir)) {
                        report.add("host record " + held + ":");
                        report.addAll(release(held));
                    }
                } catch (IOException unreadable) {
                    // another test's record being written or removed
                }
            }
        } catch (IOException e) {
            report.add("cannot list " + HELD + ": " + e);
        }
        return report;
    }

    /** Releases one pod's networks and namespace, from its directory or its host record, and removes its host record. */
    static List<String> release(Path pod) {
        List<String> report = releaseNetworks(pod);
        try {
            Path net = pod.resolve("net");
            Path held = Files.isSymbolicLink(net) ? Files.readSymbolicLink(net).getParent()
                    : pod.startsWith(HELD) ? pod : null;
            if (held != null && Files.exists(held)) {
                report.addAll(E2e.deleteTree(held));
                report.add("removed host record " + held);
            }
        } catch (IOException e) {
            report.add("cannot read " + pod.resolve("net") + ": " + e.getMessage());
        }
        return report;
    }

    private static List<String> releaseNetworks(Path pod) {
        List<String> report = new ArrayList<>();
        Path record = pod.resolve("net/networks.json");
        if (Files.exists(record)) {
            try {
                report.addAll(deleteAttachments(JSON.readTree(record.toFile())));
            } catch (IOException e) {
                report.add("cannot read " + record + ": " + e.getMessage());
            }
        }
        Path netnsRecord = pod.resolve("net/netns");
        if (Files.exists(netnsRecord)) {
            try {
                Path netns = Path.of(Files.readString(netnsRecord).trim());
                String name = netns.getFileName().toString();
                if (!NETNS_DIR.equals(netns.getParent()) || !name.startsWith(NETNS_PREFIX)) {
                    report.add(netnsRecord + " names " + netns + ", not a bosun namespace: left alone");
                } else if (Files.exists(netns)) {
                    String out = run(List.of("ip", "netns", "delete", name), Map.of(), null);
                    report.add("deleted network namespace " + name + (out.isEmpty() ? "" : " (" + out + ")"));
                }
            } catch (IOException e) {
                report.add("cannot read " + netnsRecord + ": " + e.getMessage());
            }
        }
        return report;
    }

    /** SPEC.md DEL: each network's plugins in reverse order, the networks in reverse attach order. */
    private static List<String> deleteAttachments(JsonNode record) {
        List<String> report = new ArrayList<>();
        List<String> pluginDirs = new ArrayList<>();
        record.path("pluginDirs").forEach(d -> pluginDirs.add(d.asText()));
        String netns = record.path("netns").asText("");
        List<JsonNode> attachments = new ArrayList<>();
        record.path("attachments").forEach(attachments::add);
        for (int a = attachments.size() - 1; a >= 0; a--) {
            JsonNode attachment = attachments.get(a);
            JsonNode config = attachment.path("config");
            List<JsonNode> plugins = new ArrayList<>();
            if (config.has("plugins")) {
                config.path("plugins").forEach(plugins::add);
            } else {
                plugins.add(config);
            }
            String version = config.path("cniVersion").asText("1.0.0");
            JsonNode prevResult = attachment.path("result").isObject() && atLeast040(version) ? attachment.path("result") : null;
            Map<String, String> env = Map.of("CNI_COMMAND", "DEL",
                    "CNI_CONTAINERID", record.path("containerId").asText(),
                    "CNI_NETNS", Files.exists(Path.of(netns.isEmpty() ? "/nonexistent" : netns)) ? netns : "",
                    "CNI_IFNAME", attachment.path("ifName").asText(),
                    "CNI_ARGS", cniArgs(attachment.path("args")),
                    "CNI_PATH", String.join(":", pluginDirs));
            for (int p = plugins.size() - 1; p >= 0; p--) {
                ObjectNode input = pluginInput(plugins.get(p), config.path("name").asText(), version, prevResult,
                        attachment.path("capabilityArgs"));
                String type = plugins.get(p).path("type").asText();
                Path binary = pluginDirs.stream().map(d -> Path.of(d, type)).filter(Files::isExecutable).findFirst()
                        .orElse(null);
                if (binary == null) {
                    report.add("network " + attachment.path("network").asText() + ": no plugin " + type + " in "
                            + pluginDirs + "; its DEL was not run");
                    continue;
                }
                String out = run(List.of(binary.toString()), env, input.toString());
                report.add("CNI DEL " + attachment.path("network").asText() + "/" + type + (out.isEmpty() ? "" : ": " + out));
            }
        }
        return report;
    }

    private static ObjectNode pluginInput(JsonNode plugin, String name, String version, JsonNode prevResult,
            JsonNode capabilityArgs) {
        ObjectNode conf = plugin.deepCopy();
        conf.put("cniVersion", version);
        conf.put("name", name);
        conf.remove("prevResult");
        if (prevResult != null) {
            conf.set("prevResult", prevResult);
        }
        JsonNode capabilities = plugin.path("capabilities");
        for (Iterator<Map.Entry<String, JsonNode>> it = capabilityArgs.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> capability = it.next();
            if (capabilities.path(capability.getKey()).asBoolean(false) && !capability.getValue().isNull()) {
                ObjectNode runtimeConfig = conf.get("runtimeConfig") instanceof ObjectNode written ? written
                        : conf.putObject("runtimeConfig");
                runtimeConfig.set(capability.getKey(), capability.getValue());
            }
        }
        return conf;
    }

    private static String cniArgs(JsonNode args) {
        List<String> pairs = new ArrayList<>();
        args.fields().forEachRemaining(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(";", pairs);
    }

    private static boolean atLeast040(String version) {
        return !List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1").contains(version);
    }

    /** Runs a command; "" when it succeeded, else its exit code and output in one line. */
    private static String run(List<String> command, Map<String, String> env, String stdin) {
        Path output = null;
        try {
            output = Files.createTempFile("bosun-e2e-janitor-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            String out = Files.readString(output).trim();
            return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + " " + out.replace('\n', ' ');
        } catch (IOException e) {
            return "cannot run " + command.get(0) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file of a few bytes
                }
            }
        }
    }
}
