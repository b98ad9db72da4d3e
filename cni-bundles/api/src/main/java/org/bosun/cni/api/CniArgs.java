package org.bosun.cni.api;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.bosun.api.BosunException;

/**
 * The {@code --net=} syntax, as in rkt: networks separated by commas, each a name optionally
 * followed by {@code :} and {@code CNI_ARGS} ({@code K=V} pairs separated by semicolons):
 * {@code default,mynet:IP=10.1.2.3;K2=V2}.
 */
public final class CniArgs {
    /** The argument that tells plugins to ignore arguments they do not know. */
    public static final String IGNORE_UNKNOWN = "IgnoreUnknown";

    private CniArgs() {
    }

    /** Parses a whole {@code --net=} value into names with their arguments, in order. */
    public static List<Map.Entry<String, Map<String, String>>> parseNetworks(String value) {
        List<Map.Entry<String, Map<String, String>>> networks = new ArrayList<>();
        if (value == null || value.isBlank()) {
            throw BosunException.invalid("--net= names no network; name one, e.g. --net=default");
        }
        for (String spec : value.split(",", -1)) {
            networks.add(parseNetwork(spec));
        }
        return networks;
    }

    /** Parses one network of a {@code --net=} value: {@code name} or {@code name:K=V;K2=V2}. */
    public static Map.Entry<String, Map<String, String>> parseNetwork(String spec) {
        String trimmed = spec.trim();
        int colon = trimmed.indexOf(':');
        String name = colon < 0 ? trimmed : trimmed.substring(0, colon);
        if (name.isEmpty()) {
            throw BosunException.invalid("--net= entry '" + spec + "' has no network name; write name or name:K=V;K2=V2");
        }
        Map<String, String> args = colon < 0 ? Map.of() : parseArgs(trimmed.substring(colon + 1), name);
        return new AbstractMap.SimpleImmutableEntry<>(name, args);
    }

    /** Parses {@code K=V;K2=V2}; an empty string is no arguments. */
    public static Map<String, String> parseArgs(String args, String network) {
        Map<String, String> parsed = new LinkedHashMap<>();
        if (args.isEmpty()) {
            return Map.of();
        }
        for (String pair : args.split(";", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw BosunException.invalid("argument '" + pair + "' of network " + network
                        + " is not K=V; write --net=" + network + ":K=V;K2=V2");
            }
            String key = pair.substring(0, eq);
            if (parsed.put(key, pair.substring(eq + 1)) != null) {
                throw BosunException.invalid("argument " + key + " of network " + network + " is given twice");
            }
        }
        return Collections.unmodifiableMap(parsed);
    }

    /**
     * The value of {@code CNI_ARGS} for the given arguments: empty for none, else
     * {@code IgnoreUnknown=1} (unless given) followed by the pairs in order, so that plugins that
     * do not know an argument such as {@code IP} accept it, as runtimes commonly do.
     */
    public static String format(Map<String, String> args) {
        if (args.isEmpty()) {
            return "";
        }
        StringJoiner joined = new StringJoiner(";");
        if (!args.containsKey(IGNORE_UNKNOWN)) {
            joined.add(IGNORE_UNKNOWN + "=1");
        }
        for (Map.Entry<String, String> e : args.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().contains(";") || e.getValue().contains(";")) {
                throw BosunException.invalid("CNI argument '" + e.getKey() + "=" + e.getValue()
                        + "' cannot be passed: keys and values may not contain ';' (nor keys '=')");
            }
            joined.add(e.getKey() + "=" + e.getValue());
        }
        return joined.toString();
    }
}
