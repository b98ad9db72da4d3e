package org.bosun.api.provider;

import java.util.List;
import java.util.Optional;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The providers installed now. Every bundle that reaches an engine, an image format, the store, a
 * network provider, a security module or the trust store does it through this service, selecting
 * by service properties; none keeps a provider beyond one operation.
 */
@ProviderType
public interface ProviderRegistry {

    /**
     * The registered providers of {@code kind} whose service properties match {@code filter} (null
     * for all), best first: highest service ranking, then the one registered first. A filter that
     * is not valid (see {@link ProviderFilter}) is an {@link org.bosun.api.ErrorKind#INVALID_ARGUMENT
     * invalid} error.
     */
    <S> List<ProviderReference<S>> providers(ProviderKind<S> kind, String filter);

    /** The best of {@link #providers(ProviderKind, String)}, if there is one. */
    default <S> Optional<ProviderReference<S>> best(ProviderKind<S> kind, String filter) {
        List<ProviderReference<S>> found = providers(kind, filter);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * Every provider of every kind, registered or not yet satisfied, with its state: in the order of
     * {@link ProviderKind#all()}, then by name and bundle. Providers that check their host are asked
     * with {@code paths}, the directories of the command that asks (a module may be configured per
     * {@code --local-config}).
     */
    List<ProviderStatus> status(RuntimePaths paths);
}
