package org.bosun.api.pod;

import java.util.List;

/**
 * The pod-level settings {@code run-prepared} may give a prepared pod, as rkt took them at that
 * point: each one null (or empty) keeps what the pod was prepared with.
 *
 * @param networks {@code --net}, in order; empty keeps the prepared networks
 * @param dns {@code --dns*}, or null
 * @param hostname {@code --hostname}, or null
 * @param interactive {@code --interactive}, or null
 */
public record LaunchSettings(List<PodOptions.NetworkChoice> networks, PodOptions.DnsSettings dns, String hostname,
        Boolean interactive) {
    /** Nothing to change. */
    public static final LaunchSettings NONE = new LaunchSettings(null, null, null, null);

    public LaunchSettings {
        networks = networks == null ? List.of() : List.copyOf(networks);
    }

    /** Whether every setting keeps the prepared one. */
    public boolean isEmpty() {
        return networks.isEmpty() && dns == null && hostname == null && interactive == null;
    }
}
