package org.bosun.cni.executor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.cni.api.CachedAttachment;
import org.bosun.cni.api.CniArgs;
import org.bosun.cni.api.CniAttachment;
import org.bosun.cni.api.CniContext;
import org.bosun.cni.api.CniExecutor;
import org.bosun.cni.api.CniPluginException;
import org.bosun.cni.api.CniResult;
import org.bosun.cni.api.NetworkConfig;
import org.bosun.cni.api.PluginConfig;
import org.bosun.cni.api.VersionInfo;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The CNI executor: libcni's {@code CNIConfig} for bosun, with the plugins as real processes. */
@Component(service = CniExecutor.class)
public final class CniExecutorImpl implements CniExecutor {
    private static final System.Logger LOG = System.getLogger(CniExecutorImpl.class.getName());
    static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";

    private final PluginProcess processes = new PluginProcess();

    @Deactivate
    void deactivate() {
        processes.close();
    }

    @Override
    public NetworkConfig parse(String json, String source) {
        return ConfigParser.parse(json, source);
    }

    @Override
    public NetworkConfig load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            throw BosunException.notFound("network config " + file + " does not exist");
        } catch (IOException e) {
            throw BosunException.invalid("network config " + file + " cannot be read: " + e.getMessage());
        }
    }

    @Override
    public void verify(CniContext context, NetworkConfig network) {
        for (PluginConfig plugin : network.plugins()) {
            binary(context, network, plugin.type());
            if (plugin.ipamType() != null) {
                binary(context, network, plugin.ipamType());
            }
        }
    }

    @Override
    public CniResult add(CniContext context, NetworkConfig network, CniAttachment attachment) {
        if (attachment.netns() == null) {
            throw BosunException.invalid("network " + network.name() + ": ADD needs the network namespace of container "
                    + attachment.containerId());
        }
        verify(context, network);
        Path file = AttachmentCache.file(context.cacheDir(), network.name(), attachment.containerId(), attachment.ifName());
        if (Files.exists(file)) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, "network " + network.name() + " is already attached to "
                    + attachment.containerId() + " as " + attachment.ifName() + " (" + file + "); detach it first");
        }
        // Cached before the first plugin runs, so that an interrupted ADD can still be deleted.
        AttachmentCache.write(context.cacheDir(), entry(network, attachment, null));
        JsonNode previous = null;
        try {
            for (PluginConfig plugin : network.plugins()) {
                ObjectNode input = PluginInput.build(network, plugin, previous, attachment.capabilityArgs());
                PluginProcess.Outcome outcome = call(context, network, plugin.type(), "ADD", attachment, input);
                JsonNode result = result(network, plugin, outcome);
                if (result != null) {
                    previous = result;
                }
            }
        } catch (BosunException failure) {
            undoAdd(context, network, attachment, file, failure);
            throw failure;
        }
        if (previous == null) {
            previous = Json.MAPPER.createObjectNode().put("cniVersion", network.cniVersion());
        }
        CniResult result = Results.parse(previous, "network " + network.name());
        AttachmentCache.write(context.cacheDir(), entry(network, attachment, previous));
        return result;
    }

    /** SPEC.md: after a failed ADD, DEL every plugin of the list in reverse order, even those not called. */
    private void undoAdd(CniContext context, NetworkConfig network, CniAttachment attachment, Path file,
            BosunException failure) {
        try {
            deleteChain(context, network, attachment, null);
            AttachmentCache.remove(file);
        } catch (BosunException undo) {
            failure.addSuppressed(undo);
            LOG.log(Level.DEBUG, "network {0}: undoing the failed ADD for {1} failed too; {2} stays for a later DEL: {3}",
                    network.name(), attachment.containerId(), file, undo.getMessage());
        }
    }

    /** The plugin's result in the list's version; null when it printed none. */
    private static JsonNode result(NetworkConfig network, PluginConfig plugin, PluginProcess.Outcome outcome) {
        String text = outcome.stdoutText().strip();
        if (text.isEmpty()) {
            return null;
        }
        JsonNode result;
        try {
            result = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new CniPluginException(ErrorKind.INTERNAL, network.name(), plugin.type(), "ADD",
                    CniPluginException.NO_ERROR_OBJECT, Json.describe(e), "network " + network.name() + ": plugin "
                            + plugin.type() + " ADD printed a result that is not JSON: " + Json.describe(e));
        }
        String where = "network " + network.name() + ": plugin " + plugin.type();
        Results.parse(result, where);
        String version = result.path("cniVersion").asText();
        return version.equals(network.cniVersion()) ? result : Results.convert(result, network.cniVersion());
    }

    @Override
    public CniResult check(CniContext context, String network, String containerId, String ifName) {
        CachedAttachment cached = cached(context, network, containerId, ifName)
                .orElseThrow(() -> BosunException.notFound("network " + network + " is not attached to " + containerId
                        + " as " + ifName + " (nothing in " + context.cacheDir() + ")"));
        NetworkConfig config = cached.network();
        if (cached.result() == null) {
            throw BosunException.precondition("network " + network + ": ADD for " + containerId
                    + " did not finish; detach it and attach again");
        }
        if (!CniVersions.atLeast(config.cniVersion(), "0.4.0")) {
            LOG.log(Level.DEBUG, "network {0}: CHECK skipped: its cniVersion {1} has no CHECK (0.4.0 and later)",
                    network, config.cniVersion());
            return cached.result();
        }
        if (config.disableCheck()) {
            LOG.log(Level.DEBUG, "network {0}: CHECK skipped: the configuration sets disableCheck", network);
            return cached.result();
        }
        verify(context, config);
        JsonNode previous = tree(cached.result().json());
        for (PluginConfig plugin : config.plugins()) {
            ObjectNode input = PluginInput.build(config, plugin, previous, cached.attachment().capabilityArgs());
            call(context, config, plugin.type(), "CHECK", cached.attachment(), input);
        }
        return cached.result();
    }

    @Override
    public void delete(CniContext context, NetworkConfig network, CniAttachment attachment) {
        Path file = AttachmentCache.file(context.cacheDir(), network.name(), attachment.containerId(), attachment.ifName());
        Optional<AttachmentCache.Entry> entry = AttachmentCache.read(file);
        NetworkConfig config = network;
        CniAttachment used = attachment;
        JsonNode previous = null;
        if (entry.isPresent()) {
            CachedAttachment cached = toCached(entry.get(), file);
            config = cached.network();
            used = cached.attachment();
            previous = entry.get().result();
        }
        deleteChain(context, config, used, previous);
        AttachmentCache.remove(file);
    }

    private void deleteChain(CniContext context, NetworkConfig network, CniAttachment attachment, JsonNode previous) {
        JsonNode prevResult = previous != null && CniVersions.atLeast(network.cniVersion(), "0.4.0") ? previous : null;
        List<PluginConfig> plugins = network.plugins();
        for (int i = plugins.size() - 1; i >= 0; i--) {
            PluginConfig plugin = plugins.get(i);
            ObjectNode input = PluginInput.build(network, plugin, prevResult, attachment.capabilityArgs());
            call(context, network, plugin.type(), "DEL", attachment, input);
        }
    }

    @Override
    public Optional<CachedAttachment> cached(CniContext context, String network, String containerId, String ifName) {
        Path file = AttachmentCache.file(context.cacheDir(), network, containerId, ifName);
        return AttachmentCache.read(file).map(e -> toCached(e, file));
    }

    @Override
    public List<CachedAttachment> cached(CniContext context) {
        List<CachedAttachment> all = new ArrayList<>();
        for (Path file : AttachmentCache.files(context.cacheDir())) {
            try {
                AttachmentCache.read(file).map(e -> toCached(e, file)).ifPresent(all::add);
            } catch (BosunException e) {
                LOG.log(Level.WARNING, e.getMessage());
            }
        }
        return all;
    }

    @Override
    public VersionInfo version(CniContext context, String plugin) {
        Path binary = binary(context, null, plugin);
        Map<String, String> env = Map.of("CNI_COMMAND", "VERSION", "CNI_PATH", cniPath(context));
        PluginProcess.Outcome outcome = run(context, null, plugin, "VERSION", binary, env,
                Json.MAPPER.createObjectNode().put("cniVersion", "1.0.0"));
        try {
            JsonNode answer = Json.MAPPER.readTree(outcome.stdoutText());
            List<String> versions = new ArrayList<>();
            answer.path("supportedVersions").forEach(v -> versions.add(v.asText()));
            return new VersionInfo(answer.path("cniVersion").asText(""), versions);
        } catch (JsonProcessingException e) {
            throw new CniPluginException(ErrorKind.UNAVAILABLE, null, plugin, "VERSION", CniPluginException.NO_ERROR_OBJECT,
                    Json.describe(e), "plugin " + plugin + " VERSION printed something that is not JSON: " + Json.describe(e));
        }
    }

    @Override
    public List<CachedAttachment> gc(CniContext context, NetworkConfig network, Collection<CniAttachment> valid) {
        Set<String> keep = valid.stream().map(a -> a.containerId() + "/" + a.ifName()).collect(Collectors.toSet());
        List<CachedAttachment> deleted = new ArrayList<>();
        BosunException firstFailure = null;
        for (CachedAttachment stale : cached(context)) {
            CniAttachment a = stale.attachment();
            if (stale.network().name().equals(network.name()) && !keep.contains(a.containerId() + "/" + a.ifName())) {
                try {
                    delete(context, stale.network(), a);
                    deleted.add(stale);
                } catch (BosunException e) {
                    firstFailure = firstFailure == null ? e : firstFailure;
                }
            }
        }
        pluginGc(context, network, valid);
        if (firstFailure != null) {
            throw firstFailure;
        }
        return deleted;
    }

    /** CNI 1.1's GC, for the plugins that speak it; the others are skipped with a debug line. */
    private void pluginGc(CniContext context, NetworkConfig network, Collection<CniAttachment> valid) {
        if (!CniVersions.atLeast(network.cniVersion(), "1.1.0")) {
            LOG.log(Level.DEBUG, "network {0}: plugin GC skipped: the network''s cniVersion is {1} and GC needs CNI 1.1.0",
                    network.name(), network.cniVersion());
            return;
        }
        for (PluginConfig plugin : network.plugins()) {
            VersionInfo version = version(context, plugin.type());
            boolean speaksGc = version.supportedVersions().stream().anyMatch(v -> CniVersions.atLeast(v, "1.1.0"));
            if (!speaksGc) {
                LOG.log(Level.DEBUG, "network {0}: GC skipped for plugin {1}: it speaks CNI {2}, and GC needs CNI 1.1.0",
                        network.name(), plugin.type(), String.join(", ", version.supportedVersions()));
                continue;
            }
            ObjectNode input = PluginInput.build(network, plugin, null, Map.of());
            ArrayNode attachments = input.putArray(VALID_ATTACHMENTS);
            for (CniAttachment a : valid) {
                attachments.addObject().put("containerID", a.containerId()).put("ifname", a.ifName());
            }
            Map<String, String> env = Map.of("CNI_COMMAND", "GC", "CNI_PATH", cniPath(context));
            run(context, network.name(), plugin.type(), "GC", binary(context, network, plugin.type()), env, input);
        }
    }

    private PluginProcess.Outcome call(CniContext context, NetworkConfig network, String plugin, String command,
            CniAttachment attachment, ObjectNode input) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", attachment.containerId());
        env.put("CNI_NETNS", attachment.netns() == null ? "" : attachment.netns().toString());
        env.put("CNI_IFNAME", attachment.ifName());
        env.put("CNI_ARGS", CniArgs.format(attachment.args()));
        env.put("CNI_PATH", cniPath(context));
        return run(context, network.name(), plugin, command, binary(context, network, plugin), env, input);
    }

    private PluginProcess.Outcome run(CniContext context, String network, String plugin, String command, Path binary,
            Map<String, String> env, ObjectNode input) {
        PluginProcess.Outcome outcome;
        try {
            outcome = processes.run(binary, env, Json.MAPPER.writeValueAsBytes(input), context.timeout());
        } catch (IOException e) {
            throw BosunException.unavailable(prefix(network) + "plugin " + plugin + " could not be started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable(prefix(network) + "plugin " + plugin + " " + command + " was interrupted");
        }
        LOG.log(Level.DEBUG, () -> prefix(network) + "plugin " + plugin + " " + command + " for "
                + env.getOrDefault("CNI_CONTAINERID", "-") + " took " + outcome.millis() + " ms, exit status "
                + (outcome.timedOut() ? "none (killed)" : outcome.exitCode()));
        if (outcome.timedOut()) {
            throw new CniPluginException(ErrorKind.UNAVAILABLE, network, plugin, command, CniPluginException.TIMED_OUT,
                    "timed out", prefix(network) + "plugin " + plugin + " " + command + " did not finish within "
                            + describe(context.timeout()) + " and was killed");
        }
        if (outcome.exitCode() != 0) {
            throw failure(network, plugin, command, outcome);
        }
        return outcome;
    }

    /** SPEC.md: a failing plugin prints {@code {"code", "msg", "details"}} on stdout. */
    static CniPluginException failure(String network, String plugin, String command, PluginProcess.Outcome outcome) {
        JsonNode error = null;
        try {
            error = Json.MAPPER.readTree(outcome.stdoutText());
        } catch (JsonProcessingException notJson) {
            // described below from what the plugin printed
        }
        if (error != null && error.isObject() && error.has("msg")) {
            int code = error.path("code").asInt(0);
            String msg = Json.oneLine(error.path("msg").asText());
            String details = Json.oneLine(error.path("details").asText(""));
            if (!details.isEmpty() && !details.equals(msg)) {
                msg += ": " + details;
            }
            return new CniPluginException(kind(code), network, plugin, command, code, msg,
                    prefix(network) + "plugin " + plugin + " " + command + " failed (code " + code + "): " + msg);
        }
        String printed = lastLine(outcome.stderr());
        if (printed.isEmpty()) {
            printed = lastLine(outcome.stdoutText());
        }
        if (printed.isEmpty()) {
            printed = "it printed nothing";
        }
        return new CniPluginException(ErrorKind.FAILED_PRECONDITION, network, plugin, command,
                CniPluginException.NO_ERROR_OBJECT, printed, prefix(network) + "plugin " + plugin + " " + command
                        + " failed (exit status " + outcome.exitCode() + "): " + printed);
    }

    /** SPEC.md's well-known error codes, as bosun's error kinds. */
    private static ErrorKind kind(int code) {
        return switch (code) {
            case 1, 2, 4, 6, 7 -> ErrorKind.INVALID_ARGUMENT;
            case 3 -> ErrorKind.NOT_FOUND;
            case 5, 11 -> ErrorKind.UNAVAILABLE;
            default -> ErrorKind.FAILED_PRECONDITION;
        };
    }

    /** The plugin's binary; the message names the network's source when there is one, as that is what to fix. */
    private static Path binary(CniContext context, NetworkConfig network, String plugin) {
        for (Path dir : context.pluginDirs()) {
            Path candidate = dir.resolve(plugin);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String fix = network != null ? "install it or fix \"type\" in " + network.source() : "install it";
        throw BosunException.unavailable(prefix(network == null ? null : network.name()) + "CNI plugin '" + plugin
                + "' is not installed in " + cniPath(context).replace(":", ", ") + "; " + fix);
    }

    private static String cniPath(CniContext context) {
        return context.pluginDirs().stream().map(Path::toString).collect(Collectors.joining(":"));
    }

    private static String prefix(String network) {
        return network == null ? "" : "network " + network + ": ";
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static AttachmentCache.Entry entry(NetworkConfig network, CniAttachment attachment, JsonNode result) {
        return new AttachmentCache.Entry(AttachmentCache.KIND, network.name(), attachment.containerId(),
                attachment.ifName(), attachment.netns() == null ? null : attachment.netns().toString(), attachment.args(),
                attachment.capabilityArgs(), tree(network.json()), network.source(), result);
    }

    private CachedAttachment toCached(AttachmentCache.Entry e, Path file) {
        NetworkConfig network = parse(e.config().toString(), e.configSource() == null ? file.toString()
                : e.configSource() + " (as cached in " + file + ")");
        CniAttachment attachment = new CniAttachment(e.containerId(), e.netns() == null ? null : Path.of(e.netns()),
                e.ifName(), e.args(), e.capabilityArgs());
        CniResult result = e.result() == null || e.result().isNull() ? null : Results.parse(e.result(), "cache file " + file);
        return new CachedAttachment(network, attachment, result);
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw BosunException.internal("not JSON: " + json, e);
        }
    }
}
