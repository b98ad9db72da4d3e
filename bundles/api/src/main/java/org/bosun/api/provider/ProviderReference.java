package org.bosun.api.provider;

import java.util.OptionalInt;
import java.util.function.Function;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One provider as the registry found it: its service properties and bundle, and the provider
 * itself for one operation. Keep a reference no longer than the operation that needed it: the
 * provider's bundle may be updated the moment after, and the next operation must find the new one.
 *
 * @param <S> the service interface of the provider's kind
 */
@ProviderType
public interface ProviderReference<S> {

    ProviderKind<S> kind();

    /** The provider's name (the value of its kind's name property), or null for a kind without names. */
    String name();

    /** One of the provider's service properties, or null. */
    Object property(String key);

    /** The ABI version of a provider whose kind has one (an engine without the property speaks 1). */
    OptionalInt abiVersion();

    /** The symbolic name of the bundle that registered the provider. */
    String bundleSymbolicName();

    /** The version of that bundle, as it was when the registry found the provider. */
    String bundleVersion();

    /**
     * Gets the provider, applies {@code operation} to it and lets it go. If the provider went away
     * since it was found (its bundle is being updated), this is an
     * {@link org.bosun.api.ErrorKind#UNAVAILABLE unavailable} error that asks to try again.
     */
    <R> R use(Function<? super S, ? extends R> operation);
}
