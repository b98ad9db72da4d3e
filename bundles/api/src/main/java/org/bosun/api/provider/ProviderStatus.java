package org.bosun.api.provider;

import java.util.Locale;
import java.util.Objects;

/**
 * Whether one provider works, as containerd's {@code ctr plugins ls} shows its plugins: active;
 * inactive, with the reason the provider gives (no SELinux on this host, no TPM configured); or
 * unsatisfied, when Declarative Services has not registered it, with what it misses (a service it
 * needs, its configuration) or why its activation failed.
 *
 * @param kind the provider's kind
 * @param name its name, or null for a kind without names
 * @param bundleSymbolicName the bundle that provides it
 * @param bundleVersion that bundle's version
 * @param abiVersion its ABI version where its kind has one, else null
 * @param state active, inactive or unsatisfied
 * @param reason null when active, otherwise one line saying why not
 */
public record ProviderStatus(ProviderKind<?> kind, String name, String bundleSymbolicName, String bundleVersion,
        Integer abiVersion, State state, String reason) {

    public enum State {
        /** Registered and able to work. */
        ACTIVE,
        /** Registered, but it says it cannot work here; the reason says why. */
        INACTIVE,
        /** Not registered: Declarative Services misses something it needs, or could not activate it. */
        UNSATISFIED;

        /** {@code active}, {@code inactive} or {@code unsatisfied}, as lists and JSON show it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ProviderStatus {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(bundleSymbolicName, "bundleSymbolicName");
        Objects.requireNonNull(bundleVersion, "bundleVersion");
        Objects.requireNonNull(state, "state");
        if ((state == State.ACTIVE) != (reason == null)) {
            throw new IllegalArgumentException("a provider has a reason exactly when it is not active: " + state
                    + " with reason " + reason);
        }
    }

    public boolean isActive() {
        return state == State.ACTIVE;
    }

    /** {@code active}, or the state and its reason: {@code inactive: SELinux is not enabled on this host}. */
    public String describe() {
        return reason == null ? state.label() : state.label() + ": " + reason;
    }
}
