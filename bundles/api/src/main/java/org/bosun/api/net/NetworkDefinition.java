package org.bosun.api.net;

import java.util.List;
import java.util.Objects;

/**
 * A network a provider can attach pods to, as the node defines it: its name for {@code --net=}, where
 * its definition comes from (a configuration file, or {@code built-in}), and the kind of network it is
 * (for CNI, its plugins' types in order; empty when it attaches nothing, as {@code host} and {@code none}).
 *
 * @since 1.1
 */
public record NetworkDefinition(String name, String source, List<String> types) {
    /** The source of the networks a provider defines itself. */
    public static final String BUILT_IN = "built-in";

    public NetworkDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        types = List.copyOf(types);
    }
}
