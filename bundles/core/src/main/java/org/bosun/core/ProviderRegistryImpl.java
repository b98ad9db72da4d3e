package org.bosun.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
 * <p>
 * A bundle update takes the bundle's providers away for a moment (stopped, replaced, refreshed,
 * started). A lookup that finds nothing while some bundle is in that window (stopped transiently:
 * still persistently started, not running, its state changed within {@link #SWAP_WAIT_MILLIS}) waits
 * for the swap to end, at most that long, and looks again: a command that looks its provider up
 * during a swap is served by the new version instead of failing with "unavailable". (A provider
 * lent before the swap and used after it still says it went away: its operation may be half done.)
 */
// Immediate: the swap detection needs the bundle events of before the lookup; a delayed component is
// disposed between two commands of the agent (its users let it go), and its listener with it.
@Component(service = ProviderRegistry.class, immediate = true)
public final class ProviderRegistryImpl implements ProviderRegistry {
    /** The longest a lookup waits for a swapped bundle's providers; a swap takes well under a second. */
    static final long SWAP_WAIT_MILLIS = 10_000;
    private static final long SWAP_POLL_MILLIS = 10;

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

    /** When each bundle last changed state (bundle id to System.nanoTime()). */
    private final Map<Long, Long> lastChange = new ConcurrentHashMap<>();
    private final SynchronousBundleListener changes = e -> lastChange.put(e.getBundle().getBundleId(), System.nanoTime());
    private BundleContext context;

    public ProviderRegistryImpl() {
        if (!bound.keySet().equals(Set.copyOf(ProviderKind.all()))) {
            throw new IllegalStateException("the registry binds " + bound.keySet() + " but the kinds are "
                    + ProviderKind.all());
        }
    }

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addBundleListener(changes);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(changes);
        lastChange.clear();
    }

    @Override
    public <S> List<ProviderReference<S>> providers(ProviderKind<S> kind, String filter) {
        Filter selection = filter == null ? null : filter(filter);
        List<ProviderReference<S>> found = bound(kind, selection);
        long deadline = System.nanoTime() + SWAP_WAIT_MILLIS * 1_000_000;
        while (found.isEmpty() && swapping() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(SWAP_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            found = bound(kind, selection);
        }
        return found;
    }

    /** The bound providers of {@code kind} that {@code selection} matches, best first; no waiting. */
    private <S> List<ProviderReference<S>> bound(ProviderKind<S> kind, Filter selection) {
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

    /**
     * Whether a bundle is in the middle of a swap: persistently started but not running (stopped
     * transiently, as Bundle.update and a refresh do, and as 'bosun bundle update' does first), with
     * its last state change recent enough. A bundle that failed to start stays like that, so the
     * recency bounds how long lookups wait on it to {@link #SWAP_WAIT_MILLIS} after its last change.
     */
    private boolean swapping() {
        BundleContext c = context;
        if (c == null) {
            return false;
        }
        long now = System.nanoTime();
        for (Bundle b : c.getBundles()) {
            if ((b.getState() & (Bundle.INSTALLED | Bundle.RESOLVED | Bundle.STOPPING)) == 0) {
                continue;
            }
            Long changed = lastChange.get(b.getBundleId());
            if (changed == null || now - changed > SWAP_WAIT_MILLIS * 1_000_000) {
                continue;
            }
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            try {
                if (level != null && level.isPersistentlyStarted()) {
                    return true;
                }
            } catch (IllegalStateException uninstalled) {
                // gone meanwhile
            }
        }
        return false;
    }

    @Override
    public List<ProviderStatus> status(RuntimePaths paths) {
        ServiceComponentRuntime scr = runtime;
        ComponentStates components = scr == null ? ComponentStates.NONE : ComponentStates.of(scr);
        List<ProviderStatus> statuses = new ArrayList<>();
        for (ProviderKind<?> kind : ProviderKind.all()) {
            Set<Long> registered = new HashSet<>();
            for (ProviderReference<?> provider : bound(kind, null)) {
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
