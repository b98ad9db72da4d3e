package org.bosun.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageStore;
import org.bosun.api.net.NetworkProvider;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.provider.ProviderStatus;
import org.bosun.api.security.MeasurementLog;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.trust.PublicKeyDiscovery;
import org.bosun.api.trust.TrustStore;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * The provider registry: Declarative Services binds every provider of every kind here (dynamic,
 * multiple, greedy), as {@link ComponentServiceObjects}, so that a provider is got for one
 * operation and let go after it, and a bundle update simply unbinds the old provider and binds the
 * new one. Status comes from the providers themselves and from SCR's runtime DTOs.
 */
@Component(service = ProviderRegistry.class)
public final class ProviderRegistryImpl implements ProviderRegistry {

    @Reference(service = Stage1Engine.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<Stage1Engine>> engines;

    @Reference(service = ImageFormat.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<ImageFormat>> imageFormats;

    @Reference(service = ImageStore.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<ImageStore>> imageStores;

    @Reference(service = NetworkProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<NetworkProvider>> networks;

    @Reference(service = SecurityModule.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<SecurityModule>> securityModules;

    @Reference(service = TrustStore.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<TrustStore>> trustStores;

    @Reference(service = PublicKeyDiscovery.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<PublicKeyDiscovery>> keyDiscoveries;

    @Reference(service = MeasurementLog.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ComponentServiceObjects<MeasurementLog>> measurementLogs;

    /** SCR itself, for the state of components it has not registered; status works without it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServiceComponentRuntime runtime;

    private final Map<ProviderKind<?>, Supplier<List<? extends ComponentServiceObjects<?>>>> bound = Map.of(
            ProviderKind.ENGINE, () -> engines,
            ProviderKind.IMAGE_FORMAT, () -> imageFormats,
            ProviderKind.IMAGE_STORE, () -> imageStores,
            ProviderKind.NETWORK, () -> networks,
            ProviderKind.SECURITY_MODULE, () -> securityModules,
            ProviderKind.TRUST_STORE, () -> trustStores,
            ProviderKind.KEY_DISCOVERY, () -> keyDiscoveries,
            ProviderKind.MEASUREMENT_LOG, () -> measurementLogs);

    public ProviderRegistryImpl() {
        if (!bound.keySet().equals(Set.copyOf(ProviderKind.all()))) {
            throw new IllegalStateException("the registry binds " + bound.keySet() + " but the kinds are "
                    + ProviderKind.all());
        }
    }

    @Override
    public <S> List<ProviderReference<S>> providers(ProviderKind<S> kind, String filter) {
        Filter selection = filter == null ? null : filter(filter);
        List<RegisteredProvider<S>> found = new ArrayList<>();
        for (ComponentServiceObjects<S> objects : bound(kind)) {
            if (selection == null || selection.match(objects.getServiceReference())) {
                found.add(new RegisteredProvider<>(kind, objects));
            }
        }
        // A ServiceReference orders by ranking, then age: the greatest is the one the framework would choose.
        found.sort(Comparator.comparing((RegisteredProvider<S> p) -> p.serviceReference()).reversed());
        return List.copyOf(found);
    }

    @Override
    public List<ProviderStatus> status(RuntimePaths paths) {
        ServiceComponentRuntime scr = runtime;
        ComponentStates components = scr == null ? ComponentStates.NONE : ComponentStates.of(scr);
        List<ProviderStatus> statuses = new ArrayList<>();
        for (ProviderKind<?> kind : ProviderKind.all()) {
            Set<Long> registered = new HashSet<>();
            for (ProviderReference<?> provider : providers(kind, null)) {
                Object id = provider.property(ComponentConstants.COMPONENT_ID);
                if (id instanceof Long l) {
                    registered.add(l);
                }
                statuses.add(status(provider, id instanceof Long l ? components.failure(l) : null, paths));
            }
            statuses.addAll(components.unregistered(kind, registered));
        }
        statuses.sort(Comparator.comparing((ProviderStatus s) -> ProviderKind.all().indexOf(s.kind()))
                .thenComparing(ProviderStatus::name, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(ProviderStatus::bundleSymbolicName)
                .thenComparing(ProviderStatus::bundleVersion));
        return statuses;
    }

    private static <S> ProviderStatus status(ProviderReference<S> provider, String failure, RuntimePaths paths) {
        Integer abi = provider.abiVersion().isPresent() ? provider.abiVersion().getAsInt() : null;
        ProviderStatus.State state = ProviderStatus.State.ACTIVE;
        String reason = failure;
        if (failure != null) {
            state = ProviderStatus.State.UNSATISFIED;
        } else if (provider.kind().checksHost()) {
            try {
                reason = provider.use(p -> provider.kind().inactiveReason(p, paths));
            } catch (BosunException gone) {
                reason = "it went away";
            } catch (RuntimeException e) {
                reason = "its status check failed: " + e;
            }
            state = reason == null ? ProviderStatus.State.ACTIVE : ProviderStatus.State.INACTIVE;
        }
        return new ProviderStatus(provider.kind(), provider.name(), provider.bundleSymbolicName(),
                provider.bundleVersion(), abi, state, reason);
    }

    @SuppressWarnings("unchecked") // the map pairs each kind with the field of its own service type
    private <S> List<ComponentServiceObjects<S>> bound(ProviderKind<S> kind) {
        List<? extends ComponentServiceObjects<?>> objects = bound.get(kind).get();
        return objects == null ? List.of() : (List<ComponentServiceObjects<S>>) objects;
    }

    private static Filter filter(String filter) {
        try {
            return FrameworkUtil.createFilter(filter);
        } catch (InvalidSyntaxException e) {
            throw BosunException.invalid("bad name in service filter " + filter);
        }
    }
}
