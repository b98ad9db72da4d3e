package org.bosun.shell;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Read-only pod commands for the Gogo shell: {@code bosun:list [DIR]}, {@code bosun:status UUID [DIR]}
 * and {@code bosun:engines}. DIR is the data directory (default /var/lib/bosun).
 */
@Component(service = PodCommands.class, property = {
        "osgi.command.scope=bosun",
        "osgi.command.function=list",
        "osgi.command.function=status",
        "osgi.command.function=engines",
        "osgi.command.function=security"})
public final class PodCommands {
    private final PodService pods;
    private final BundleContext context;

    @Activate
    public PodCommands(@Reference PodService pods, BundleContext context) {
        this.pods = pods;
        this.context = context;
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

    /** The security modules, highest ranking first, each active or inactive with its reason. */
    public String security() throws InvalidSyntaxException {
        StringBuilder sb = new StringBuilder();
        List<ServiceReference<org.bosun.api.security.SecurityModule>> refs = new ArrayList<>(
                context.getServiceReferences(org.bosun.api.security.SecurityModule.class, null));
        refs.sort(java.util.Comparator.reverseOrder());
        for (ServiceReference<org.bosun.api.security.SecurityModule> ref : refs) {
            org.bosun.api.security.SecurityModule module = context.getService(ref);
            String reason;
            try {
                reason = module == null ? "it went away" : module.inactiveReason();
            } finally {
                if (module != null) {
                    context.ungetService(ref);
                }
            }
            sb.append(ref.getProperty(org.bosun.api.security.SecurityModuleService.NAME)).append("  ")
                    .append(ref.getBundle().getSymbolicName()).append(' ').append(ref.getBundle().getVersion())
                    .append("  ").append(reason == null ? "active" : "inactive: " + reason).append('\n');
        }
        return sb.toString();
    }

    public String engines() throws InvalidSyntaxException {
        StringBuilder sb = new StringBuilder();
        Collection<ServiceReference<Stage1Engine>> refs = context.getServiceReferences(Stage1Engine.class, null);
        for (ServiceReference<Stage1Engine> ref : refs) {
            sb.append(ref.getProperty(Stage1EngineService.NAME)).append("  ")
                    .append(ref.getBundle().getSymbolicName()).append(' ').append(ref.getBundle().getVersion())
                    .append("  ABI ").append(ref.getProperty(Stage1EngineService.ABI_VERSION)).append('\n');
        }
        return sb.toString();
    }

    private static RuntimePaths paths(String dataDir) {
        return new RuntimePaths(Path.of(dataDir), RuntimePaths.DEFAULT_LOCAL_CONFIG, RuntimePaths.DEFAULT_SYSTEM_CONFIG);
    }
}
