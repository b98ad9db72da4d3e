package org.bosun.cni.networks;

import java.nio.file.Path;

/**
 * rkt's built-in networks, in CNI 1.0.0. {@code default}: a veth pair per pod (ptp), host-local
 * IPAM on 172.16.28.0/24, a default route and outbound NAT. {@code default-restricted}: the same on
 * 172.31.0.0/16 without a default route or NAT, so the pod reaches only the host. Both can be
 * replaced by a {@code net.d} file declaring a network of the same name; the leases of the
 * built-ins live under the data directory, never in {@code /var/lib/cni}. Both end with the portmap
 * plugin, which forwards {@code --port}s (its {@code portMappings} capability; without ports it
 * adds nothing); {@code snat} lets connections to 127.0.0.1 reach the pod.
 */
final class BuiltinNetworks {
    static final String DEFAULT = "default";
    static final String DEFAULT_RESTRICTED = "default-restricted";
    static final String LOOPBACK = "lo";
    static final String DEFAULT_SUBNET = "172.16.28.0/24";
    static final String RESTRICTED_SUBNET = "172.31.0.0/16";

    private BuiltinNetworks() {
    }

    static String json(String name, Path ipamDir) {
        return switch (name) {
            case DEFAULT -> """
                    {"cniVersion": "1.0.0", "name": "default", "plugins": [
                      {"type": "ptp", "ipMasq": true,
                       "ipam": {"type": "host-local", "subnet": "%s", "routes": [{"dst": "0.0.0.0/0"}], "dataDir": %s}},
                      {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
                    ]}""".formatted(DEFAULT_SUBNET, quote(ipamDir));
            case DEFAULT_RESTRICTED -> """
                    {"cniVersion": "1.0.0", "name": "default-restricted", "plugins": [
                      {"type": "ptp", "ipMasq": false,
                       "ipam": {"type": "host-local", "subnet": "%s", "dataDir": %s}},
                      {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
                    ]}""".formatted(RESTRICTED_SUBNET, quote(ipamDir));
            case LOOPBACK -> """
                    {"cniVersion": "1.0.0", "name": "lo", "plugins": [{"type": "loopback"}]}""";
            default -> null;
        };
    }

    private static String quote(Path path) {
        return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
