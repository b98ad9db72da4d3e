package org.bosun.core;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageProviders;
import org.bosun.api.image.ImageStore;
import org.bosun.api.net.NetworkProvider;
import org.bosun.api.provider.ProviderFilter;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.stage1.Stage1Engine;

/**
 * The core's questions to the {@link ProviderRegistry}, each with the message that tells the user
 * what to install. Nothing is cached: every call finds its provider anew and holds it for that one
 * operation, so a provider bundle can be updated or replaced between two operations, even while
 * pods it started are running.
 */
final class ServiceLookup {
    private final ProviderRegistry providers;

    ServiceLookup(ProviderRegistry providers) {
        this.providers = providers;
    }

    /** An engine, used once. */
    record EngineUse<R>(R result, String bundleVersion, int abiVersion) {
    }

    <R> EngineUse<R> withEngine(String name, Function<Stage1Engine, R> operation) {
        ProviderReference<Stage1Engine> engine = providers.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named(name))
                .orElseThrow(() -> BosunException.unavailable("stage1 engine '" + name + "' is not installed"
                        + " (installed: " + String.join(", ", engineNames()) + "); choose one with --stage1-name"));
        return new EngineUse<>(engine.use(operation), engine.bundleVersion(), engine.abiVersion().orElse(1));
    }

    /** The ABI version the installed engine {@code name} speaks, or -1 when none is installed. */
    int engineAbi(String name) {
        return providers.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named(name))
                .map(engine -> engine.abiVersion().orElse(1)).orElse(-1);
    }

    List<String> engineNames() {
        return providers.providers(ProviderKind.ENGINE, null).stream().map(ProviderReference::name).sorted().toList();
    }

    /** Whether a network provider of that name is installed. */
    boolean hasNetworkProvider(String name) {
        return providers.best(ProviderKind.NETWORK, ProviderKind.NETWORK.named(name)).isPresent();
    }

    /** The network provider {@code name}, used once. */
    <R> R withNetworkProvider(String name, Function<NetworkProvider, R> operation) {
        return providers.best(ProviderKind.NETWORK, ProviderKind.NETWORK.named(name))
                .orElseThrow(() -> BosunException.unavailable("network provider '" + name + "' is not installed;"
                        + " install the CNI bundles, or run with --net=host or --net=none"))
                .use(operation);
    }

    /** The format that reads references of {@code scheme} (and for files, {@code location}'s ending). */
    <R> R withImageFormat(String scheme, String location, Function<ImageFormat, R> operation) {
        return ImageProviders.withFormatReading(providers, scheme, location, operation);
    }

    /** The image store, for one operation. */
    <R> R withImageStore(Function<ImageStore, R> operation) {
        return ImageProviders.withStore(providers, operation);
    }

    /** The format called {@code name} (the format that stored an image renders it). */
    <R> R withImageFormatNamed(String name, Function<ImageFormat, R> operation) {
        return ImageProviders.withFormatNamed(providers, name, operation);
    }

    /**
     * Calls {@code operation(name, module)} for every security module, highest service ranking first;
     * each module is held for its call only, and one that went away meanwhile is skipped.
     */
    void withSecurityModules(BiConsumer<String, SecurityModule> operation) {
        for (ProviderReference<SecurityModule> module : providers.providers(ProviderKind.SECURITY_MODULE, null)) {
            boolean[] called = {false};
            try {
                module.use(m -> {
                    called[0] = true;
                    operation.accept(module.name(), m);
                    return null;
                });
            } catch (BosunException e) {
                if (called[0]) {
                    throw e;
                }
                // it went away between the listing and now: it has nothing to say about this pod
            }
        }
    }
}
