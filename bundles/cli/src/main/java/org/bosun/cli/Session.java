package org.bosun.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.provider.ProviderStatus;
import org.bosun.command.protocol.ExecPlan;
import org.bosun.command.protocol.Invocation;
import org.osgi.framework.BundleContext;

/**
 * One command's context: the caller's invocation, its output streams, the services, and what the
 * global options said. Commands get it through their constructor and keep it only while they run.
 */
public final class Session {
    Invocation invocation;
    PrintStream out;
    PrintStream err;
    final BundleContext context;
    private PodService pods;
    private ProviderRegistry providers;
    GlobalOptions global;
    ExecPlan plan;

    Session(Invocation invocation, PrintStream out, PrintStream err, BundleContext context, PodService pods,
            ProviderRegistry providers) {
        this.invocation = invocation;
        this.out = out;
        this.err = err;
        this.context = context;
        this.pods = pods;
        this.providers = providers;
    }

    /**
     * Makes this session (and the command tree built for it) serve another invocation: building
     * the tree costs milliseconds of reflection, so the agent reuses trees.
     */
    void rebind(Invocation invocation, PrintStream out, PrintStream err, PodService pods, ProviderRegistry providers) {
        this.invocation = invocation;
        this.out = out;
        this.err = err;
        this.pods = pods;
        this.providers = providers;
        this.plan = null;
        if (global != null) {
            global.forget();
        }
    }

    /** What the command prints; the caller's standard output. */
    public PrintStream out() {
        return out;
    }

    /** Where the command's errors go; the caller's standard error. */
    public PrintStream err() {
        return err;
    }

    public PodService pods() {
        if (pods == null) {
            throw org.bosun.api.BosunException.unavailable("the pod service (bundle org.bosun.core) is not running");
        }
        return pods;
    }

    /**
     * Runs {@code operation} with the app service (bundle org.bosun.core), got for this one use: the
     * same component as the pod service, asked for by its own interface.
     */
    <R> R apps(java.util.function.Function<org.bosun.api.app.AppService, R> operation) {
        org.osgi.framework.ServiceReference<org.bosun.api.app.AppService> ref = context == null ? null
                : context.getServiceReference(org.bosun.api.app.AppService.class);
        org.bosun.api.app.AppService apps = ref == null ? null : context.getService(ref);
        if (apps == null) {
            throw org.bosun.api.BosunException.unavailable("the app service (bundle org.bosun.core) is not running");
        }
        try {
            return operation.apply(apps);
        } finally {
            context.ungetService(ref);
        }
    }

    /** The providers of {@code kind} that match {@code filter}, best first; none without a provider registry. */
    <S> List<ProviderReference<S>> providers(ProviderKind<S> kind, String filter) {
        return providers == null ? List.of() : providers.providers(kind, filter);
    }

    /** The best provider of {@code kind} that matches {@code filter}, if the registry knows one. */
    public <S> Optional<ProviderReference<S>> provider(ProviderKind<S> kind, String filter) {
        return providers == null ? Optional.empty() : providers.best(kind, filter);
    }

    /** The provider registry, UNAVAILABLE when the core is not running. */
    public ProviderRegistry registry() {
        if (providers == null) {
            throw org.bosun.api.BosunException.unavailable("the provider registry (bundle org.bosun.core) is not"
                    + " running");
        }
        return providers;
    }

    /** Every provider and its state, asked with this command's paths. */
    List<ProviderStatus> providerStatus() {
        return registry().status(paths());
    }

    public RuntimePaths paths() {
        return global.paths();
    }

    /** A path the user gave, relative to the caller's working directory (not the agent's). */
    public Path resolve(String path) {
        return Path.of(invocation.cwd()).resolve(path).normalize();
    }

    void debug(String message) {
        if (global != null && global.debug) {
            err.println("bosun: " + message);
        }
    }
}
