package org.bosun.core;

import java.util.OptionalInt;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * A provider the registry has bound, lent for one operation at a time through Declarative Services'
 * {@link ComponentServiceObjects}: each {@link #use} gets it and lets it go again.
 */
final class RegisteredProvider<S> implements ProviderReference<S> {
    private final ProviderKind<S> kind;
    private final ComponentServiceObjects<S> objects;
    private final ServiceReference<S> reference;
    private final String bundleSymbolicName;
    private final String bundleVersion;

    RegisteredProvider(ProviderKind<S> kind, ComponentServiceObjects<S> objects) {
        this.kind = kind;
        this.objects = objects;
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
            throw BosunException.unavailable(this + " went away; try again");
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
