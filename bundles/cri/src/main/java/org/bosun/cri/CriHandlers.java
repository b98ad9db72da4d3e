package org.bosun.cri;

import java.util.Map;

import org.bosun.api.BosunException;

/**
 * RuntimeClass handlers as stage1 engines: {@code runc} and {@code crun} are the oci engine with that
 * runtime, {@code nspawn} the nspawn engine; the empty handler (a pod without a RuntimeClass) is the
 * configured default.
 */
final class CriHandlers {
    /** The oci engine's option naming its runtime binary. */
    static final String RUNTIME_OPTION = "runtime";

    /** One handler's engine and its engine options. */
    record Engine(String handler, String stage1, Map<String, String> options) {
    }

    private final String defaultHandler;

    CriHandlers(String defaultHandler) {
        this.defaultHandler = defaultHandler;
        engine(defaultHandler); // a default that names no engine is refused when the server starts
    }

    Engine engine(String handler) {
        String name = handler.isEmpty() ? defaultHandler : handler;
        return switch (name) {
            case "runc", "crun" -> new Engine(name, "oci", Map.of(RUNTIME_OPTION, name));
            case "nspawn" -> new Engine(name, "nspawn", Map.of());
            default -> throw BosunException.invalid("runtime handler '" + name + "' is not known; bosun runs the"
                    + " handlers runc, crun (the oci engine) and nspawn");
        };
    }
}
