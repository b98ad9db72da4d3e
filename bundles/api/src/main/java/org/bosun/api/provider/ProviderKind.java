package org.bosun.api.provider;

import java.util.List;
import java.util.function.BiFunction;

import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageStore;
import org.bosun.api.net.NetworkProvider;
import org.bosun.api.net.NetworkProviderService;
import org.bosun.api.security.MeasurementLog;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.api.trust.PublicKeyDiscovery;
import org.bosun.api.trust.TrustStore;

/**
 * A kind of provider: the service interface its providers register, the service property that
 * names one, and how one says that it cannot work on this host. The kinds are the constants here;
 * a new kind of provider is a new constant (and a minor version of this package).
 *
 * @param <S> the service interface
 */
public final class ProviderKind<S> {
    /** Stage1 engines, named by {@code --stage1-name}; they carry an ABI version. */
    public static final ProviderKind<Stage1Engine> ENGINE = new ProviderKind<>("engine", Stage1Engine.class,
            Stage1EngineService.NAME, Stage1EngineService.ABI_VERSION, null);
    /** Image formats, selected by reference scheme (see {@link ProviderFilter#readingImage}). */
    public static final ProviderKind<ImageFormat> IMAGE_FORMAT = new ProviderKind<>("image-format", ImageFormat.class,
            ImageFormatService.NAME, null, null);
    /** The image store; there is one, and it has no name. */
    public static final ProviderKind<ImageStore> IMAGE_STORE = new ProviderKind<>("image-store", ImageStore.class,
            null, null, null);
    /** Network providers, named as the core asks for them ({@code cni}). */
    public static final ProviderKind<NetworkProvider> NETWORK = new ProviderKind<>("network", NetworkProvider.class,
            NetworkProviderService.PREFIX_ + "name", null, null);
    /** Security modules; one that cannot work on this host says why in its inactive reason. */
    public static final ProviderKind<SecurityModule> SECURITY_MODULE = new ProviderKind<>("security-module",
            SecurityModule.class, SecurityModuleService.NAME, null, (module, paths) -> module.inactiveReason(paths));
    /** The trust store (trusted keys, signature verification); there is one, and it has no name. */
    public static final ProviderKind<TrustStore> TRUST_STORE = new ProviderKind<>("trust-store", TrustStore.class,
            null, null, null);
    /** Downloaders of the keys a publisher announces (the appc format bundle provides one). */
    public static final ProviderKind<PublicKeyDiscovery> KEY_DISCOVERY = new ProviderKind<>("key-discovery",
            PublicKeyDiscovery.class, null, null, null);
    /** Measurement logs, kept by a security module (the TPM's) and named as that module. */
    public static final ProviderKind<MeasurementLog> MEASUREMENT_LOG = new ProviderKind<>("measurement-log",
            MeasurementLog.class, SecurityModuleService.NAME, null, null);

    private static final List<ProviderKind<?>> ALL = List.of(ENGINE, IMAGE_FORMAT, IMAGE_STORE, NETWORK,
            SECURITY_MODULE, TRUST_STORE, KEY_DISCOVERY, MEASUREMENT_LOG);

    private final String id;
    private final Class<S> type;
    private final String nameProperty;
    private final String abiProperty;
    private final BiFunction<S, RuntimePaths, String> inactiveReason;

    private ProviderKind(String id, Class<S> type, String nameProperty, String abiProperty,
            BiFunction<S, RuntimePaths, String> inactiveReason) {
        this.id = id;
        this.type = type;
        this.nameProperty = nameProperty;
        this.abiProperty = abiProperty;
        this.inactiveReason = inactiveReason;
    }

    /** Every kind, in the order status lists show them. */
    public static List<ProviderKind<?>> all() {
        return ALL;
    }

    /** The kind's short name in status lists and JSON: {@code engine}, {@code security-module}, ... */
    public String id() {
        return id;
    }

    /** The service interface the providers of this kind register. */
    public Class<S> type() {
        return type;
    }

    /** The service property that names a provider of this kind, or null when its providers have no name. */
    public String nameProperty() {
        return nameProperty;
    }

    /** The service property holding a provider's ABI version, or null when the kind has none. */
    public String abiProperty() {
        return abiProperty;
    }

    /** A filter that selects the provider called {@code name}. */
    public String named(String name) {
        if (nameProperty == null) {
            throw new IllegalStateException("providers of kind " + id + " have no name");
        }
        return ProviderFilter.equal(nameProperty, name);
    }

    /** Whether providers of this kind say when they cannot work on this host (see {@link #inactiveReason}). */
    public boolean checksHost() {
        return inactiveReason != null;
    }

    /**
     * Why {@code provider} cannot work for a command that uses {@code paths}, or null when it can (or
     * when providers of this kind have no such check).
     */
    public String inactiveReason(S provider, RuntimePaths paths) {
        return inactiveReason == null ? null : inactiveReason.apply(provider, paths);
    }

    @Override
    public String toString() {
        return id;
    }
}
