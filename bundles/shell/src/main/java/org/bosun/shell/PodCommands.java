package org.bosun.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.provider.ProviderStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Read-only commands for the Gogo shell: {@code bosun:list [DIR]}, {@code bosun:status UUID [DIR]},
 * {@code bosun:engines}, {@code bosun:security} and {@code bosun:providers} (every provider and its
 * state). DIR is the data directory (default /var/lib/bosun); providers are asked with the default
 * configuration directories.
 */
@Component(service = PodCommands.class, property = {
        "osgi.command.scope=bosun",
        "osgi.command.function=list",
        "osgi.command.function=status",
        "osgi.command.function=engines",
        "osgi.command.function=security",
        "osgi.command.function=providers"})
public final class PodCommands {
    private static final String PROVIDER_ROW = "%-16s  %-10s  %-32s  %-14s  %-3s  %s%n";

    private final PodService pods;
    private final ProviderRegistry providers;

    @Activate
    public PodCommands(@Reference PodService pods, @Reference ProviderRegistry providers) {
        this.pods = pods;
        this.providers = providers;
    }

    public String list() {
        return list(RuntimePaths.DEFAULT_DATA_DIR.toString());
    }

    public String list(String dataDir) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-36s  %-10s  %-16s  %s%n", "UUID", "STATE", "APPS", "STAGE1"));
        for (PodInfo pod : pods.list(paths(dataDir))) {
            List<String> apps = new ArrayList<>();
            for (AppInfo app : pod.apps()) {
                apps.add(app.name());
            }
            sb.append(String.format("%-36s  %-10s  %-16s  %s%n", pod.uuid(), pod.state().label(), String.join(",", apps),
                    pod.stage1() == null ? "" : pod.stage1().name() + " " + pod.stage1().bundleVersion()));
        }
        return sb.toString();
    }

    public String status(String uuid) {
        return status(uuid, RuntimePaths.DEFAULT_DATA_DIR.toString());
    }

    public String status(String uuid, String dataDir) {
        PodInfo pod = pods.status(paths(dataDir), uuid);
        return "uuid=" + pod.uuid() + "\nstate=" + pod.state().label() + "\ncreated=" + pod.created()
                + "\nstarted=" + (pod.started() == null ? "" : pod.started()) + "\npid=" + pod.pid()
                + "\nstage1=" + (pod.stage1() == null ? "" : pod.stage1().name() + " " + pod.stage1().bundleVersion())
                + "\n";
    }

    /** The security modules, highest ranking first (the order they contribute in), each with its state. */
    public String security() {
        List<String> byRanking = providers.providers(ProviderKind.SECURITY_MODULE, null).stream()
                .map(ProviderReference::name).toList();
        List<ProviderStatus> modules = new ArrayList<>();
        for (ProviderStatus status : providers.status(RuntimePaths.defaults())) {
            if (status.kind() == ProviderKind.SECURITY_MODULE) {
                modules.add(status);
            }
        }
        // a module Declarative Services has not registered has no ranking: it comes last
        modules.sort(Comparator.comparingInt(m -> byRanking.contains(m.name()) ? byRanking.indexOf(m.name())
                : byRanking.size()));
        StringBuilder sb = new StringBuilder();
        for (ProviderStatus m : modules) {
            sb.append(m.name()).append("  ").append(m.bundleSymbolicName()).append(' ').append(m.bundleVersion())
                    .append("  ").append(m.describe()).append('\n');
        }
        return sb.toString();
    }

    public String engines() {
        StringBuilder sb = new StringBuilder();
        for (ProviderStatus engine : providers.status(RuntimePaths.defaults())) {
            if (engine.kind() == ProviderKind.ENGINE) {
                sb.append(engine.name()).append("  ").append(engine.bundleSymbolicName()).append(' ')
                        .append(engine.bundleVersion()).append("  ABI ").append(engine.abiVersion())
                        .append(engine.isActive() ? "" : "  " + engine.describe()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Every provider of every kind and its state, as containerd's {@code ctr plugins ls}: active,
     * inactive (the provider says why) or unsatisfied (what Declarative Services misses for it).
     */
    public String providers() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(PROVIDER_ROW, "KIND", "NAME", "BUNDLE", "VERSION", "ABI", "STATE"));
        for (ProviderStatus p : providers.status(RuntimePaths.defaults())) {
            sb.append(String.format(PROVIDER_ROW, p.kind().id(), p.name() == null ? "-" : p.name(),
                    p.bundleSymbolicName(), p.bundleVersion(), p.abiVersion() == null ? "-" : p.abiVersion(),
                    p.describe()));
        }
        return sb.toString();
    }

    private static RuntimePaths paths(String dataDir) {
        return new RuntimePaths(Path.of(dataDir), RuntimePaths.DEFAULT_LOCAL_CONFIG, RuntimePaths.DEFAULT_SYSTEM_CONFIG);
    }
}
