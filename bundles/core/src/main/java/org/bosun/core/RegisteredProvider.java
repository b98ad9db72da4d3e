package org.bosun.core;

import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * A provider the registry has bound, lent for one operation at a time through Declarative Services'
 * {@link ComponentServiceObjects}: each {@link #use} gets it and lets it go again. When the provider
 * went away before the operation began (its bundle was swapped since the lookup), the operation is
 * given to the lookup's best match now, if there is one: it has not run yet, so nothing runs twice.
 */
final class RegisteredProvider<S> implements ProviderReference<S> {
    private final ProviderKind<S> kind;
    private final ComponentServiceObjects<S> objects;
    private final ServiceReference<S> reference;
    private final String bundleSymbolicName;
    private final String bundleVersion;
    private final Supplier<ProviderReference<S>> replacement;

    /** @param replacement the same lookup made again (it waits out a swap); null when none matches */
    RegisteredProvider(ProviderKind<S> kind, ComponentServiceObjects<S> objects,
            Supplier<ProviderReference<S>> replacement) {
        this.kind = kind;
        this.objects = objects;
        this.replacement = replacement;
        this.reference = objects.getServiceReference();
        // Read now: once the service is unregistered its reference has no bundle any more.
        Bundle bundle = reference.getBundle();
        this.bundleSymbolicName = bundle == null ? "(uninstalled)" : bundle.getSymbolicName();
        this.bundleVersion = bundle == null ? "0.0.0" : bundle.getVersion().toString();
    }

    ServiceReference<S> serviceReference() {
        return reference;
    }

    @Override
    public ProviderKind<S> kind() {
        return kind;
    }

    @Override
    public String name() {
        Object name = kind.nameProperty() == null ? null : reference.getProperty(kind.nameProperty());
        return name == null ? null : String.valueOf(name);
    }

    @Override
    public Object property(String key) {
        return reference.getProperty(key);
    }

    @Override
    public OptionalInt abiVersion() {
        if (kind.abiProperty() == null) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(reference.getProperty(kind.abiProperty()) instanceof Number n ? n.intValue() : 1);
    }

    @Override
    public String bundleSymbolicName() {
        return bundleSymbolicName;
    }

    @Override
    public String bundleVersion() {
        return bundleVersion;
    }

    @Override
    public <R> R use(Function<? super S, ? extends R> operation) {
        S provider;
        try {
            provider = objects.getService();
        } catch (IllegalStateException unbound) {
            provider = null; // unbound between the lookup and now: its bundle is being updated or stopped
        }
        if (provider == null) {
            ProviderReference<S> now = replacement.get();
            if (now == null || now instanceof RegisteredProvider<S> r && r.reference.equals(reference)) {
                throw BosunException.unavailable(this + " went away; try again");
            }
            return now.use(operation);
        }
        try {
            return operation.apply(provider);
        } finally {
            try {
                objects.ungetService(provider);
            } catch (IllegalStateException | IllegalArgumentException unbound) {
                // unbound while in use: Declarative Services has let it go already
            }
        }
    }

    @Override
    public String toString() {
        String name = name();
        return kind.id() + (name == null ? "" : " '" + name + "'") + " (bundle " + bundleSymbolicName + " "
                + bundleVersion + ")";
    }
}
