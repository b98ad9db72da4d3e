package org.bosun.cni.api;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;

/**
 * The runtime side of one attachment: which container, where its network namespace is, which
 * interface to create, and the runtime arguments.
 *
 * @param containerId {@code CNI_CONTAINERID}: letters, digits, {@code _ . -}, starting with a letter
 *        or digit
 * @param netns {@code CNI_NETNS}, the path of the network namespace; may be null for a delete after
 *        the namespace went away
 * @param ifName {@code CNI_IFNAME}, the interface inside the namespace
 * @param args {@code CNI_ARGS} in order (see {@link CniArgs#format})
 * @param capabilityArgs values of {@code runtimeConfig} capabilities ({@code portMappings},
 *        {@code dns}, {@code ips}, {@code mac}, {@code bandwidth}, ...), each passed only to the plugins
 *        whose configuration declares that capability; values are JSON-like (maps, lists, strings,
 *        numbers, booleans)
 */
public record CniAttachment(String containerId, Path netns, String ifName, Map<String, String> args,
        Map<String, Object> capabilityArgs) {
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

    public CniAttachment {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifName, "ifName");
        if (!CONTAINER_ID.matcher(containerId).matches()) {
            throw BosunException.invalid("container id '" + containerId
                    + "' is not valid for CNI; use letters, digits, '_', '.' and '-'");
        }
        if (ifName.isEmpty() || ifName.length() > 15 || ifName.equals(".") || ifName.equals("..")
                || ifName.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
            throw BosunException.invalid("interface name '" + ifName
                    + "' is not valid; use at most 15 characters without '/', ':' or spaces");
        }
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args == null ? Map.of() : args));
        capabilityArgs = Collections.unmodifiableMap(new LinkedHashMap<>(capabilityArgs == null ? Map.of() : capabilityArgs));
    }

    /** An attachment without arguments. */
    public CniAttachment(String containerId, Path netns, String ifName) {
        this(containerId, netns, ifName, Map.of(), Map.of());
    }
}
