package org.bosun.cni.networks;

import java.nio.file.Path;

/**
 * rkt's built-in networks, in CNI 1.0.0. {@code default}: a veth pair per pod (ptp), host-local
 * IPAM on 172.16.28.0/24, a default route and outbound NAT. {@code default-restricted}: the same on
 * 172.31.0.0/16 without a default route or NAT, so the pod reaches only the host. Both can be
 * replaced by a {@code net.d} file declaring a network of the same name. Both end with the portmap
 * plugin, which forwards {@code --port}s (its {@code portMappings} capability; without ports it
 * adds nothing); {@code snat} lets connections to 127.0.0.1 reach the pod.
 * <p>
 * Their subnets, host routes and NAT rules are the host's, so every data directory draws from one
 * host-wide lease pool ({@code ipamDir}). Only tests give other subnets, which no real pod uses,
 * with leases of their own.
 *
 * @param defaultSubnet the subnet of {@code default}
 * @param restrictedSubnet the subnet of {@code default-restricted}
 * @param ipamDir where their leases are, one directory per network; null for under each request's
 *        data directory
 */
record BuiltinNetworks(String defaultSubnet, String restrictedSubnet, Path ipamDir) {
    static final String DEFAULT = "default";
    static final String DEFAULT_RESTRICTED = "default-restricted";
    static final String LOOPBACK = "lo";
    static final String DEFAULT_SUBNET = "172.16.28.0/24";
    static final String RESTRICTED_SUBNET = "172.31.0.0/16";
    static final String LOOPBACK_JSON = """
            {"cniVersion": "1.0.0", "name": "lo", "plugins": [{"type": "loopback"}]}""";

    /** rkt's subnets, with the leases in {@code ipamDir} (null: under each data directory). */
    static BuiltinNetworks rkt(Path ipamDir) {
        return new BuiltinNetworks(DEFAULT_SUBNET, RESTRICTED_SUBNET, ipamDir);
    }

    /**
     * The configuration of the built-in network {@code name}, or null when there is none of that name.
     *
     * @param dataDirIpam the leases' directory when {@link #ipamDir} is null
     */
    String json(String name, Path dataDirIpam) {
        Path leases = ipamDir != null ? ipamDir : dataDirIpam;
        return switch (name) {
            case DEFAULT -> """
                    {"cniVersion": "1.0.0", "name": "default", "plugins": [
                      {"type": "ptp", "ipMasq": true,
                       "ipam": {"type": "host-local", "subnet": "%s", "routes": [{"dst": "0.0.0.0/0"}], "dataDir": %s}},
                      {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
                    ]}""".formatted(defaultSubnet, quote(leases));
            case DEFAULT_RESTRICTED -> """
                    {"cniVersion": "1.0.0", "name": "default-restricted", "plugins": [
                      {"type": "ptp", "ipMasq": false,
                       "ipam": {"type": "host-local", "subnet": "%s", "dataDir": %s}},
                      {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
                    ]}""".formatted(restrictedSubnet, quote(leases));
            default -> null;
        };
    }

    private static String quote(Path path) {
        return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
