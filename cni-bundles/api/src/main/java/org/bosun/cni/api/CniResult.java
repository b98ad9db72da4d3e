package org.bosun.cni.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code ADD}, in one model whatever CNI version the plugin answered in (0.1.0 and
 * 0.2.0 {@code ip4}/{@code ip6} results, the 0.3.0, 0.3.1 and 0.4.0 results with
 * {@code ips[].version}, and 1.0.0/1.1.0).
 *
 * @param cniVersion the version the result was written in
 * @param interfaces the interfaces the plugins created or moved
 * @param ips the addresses, with the index of their interface where the result gives one
 * @param routes the routes
 * @param dns the DNS settings, never null
 * @param json the result as the plugins returned it
 */
public record CniResult(String cniVersion, List<Interface> interfaces, List<IpConfig> ips, List<Route> routes, Dns dns,
        String json) {
    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        dns = dns == null ? Dns.NONE : dns;
    }

    /**
     * @param name the interface's name
     * @param mac its hardware address, or null
     * @param sandbox the network namespace it is in, or null for an interface of the host
     */
    public record Interface(String name, String mac, String sandbox) {
    }

    /**
     * @param address the address with its prefix length, {@code 10.1.0.5/16}
     * @param gateway the gateway, or null
     * @param interfaceIndex the index into {@link CniResult#interfaces()}, or null
     */
    public record IpConfig(String address, String gateway, Integer interfaceIndex) {
        public boolean isIpv6() {
            return address.indexOf(':') >= 0;
        }
    }

    /**
     * @param dst the destination with its prefix length
     * @param gw the next hop, or null for the interface's default gateway
     */
    public record Route(String dst, String gw) {
    }

    /** The DNS settings of a result; empty lists and a null domain when there are none. */
    public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {
        public static final Dns NONE = new Dns(List.of(), null, List.of(), List.of());

        public Dns {
            nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
            search = search == null ? List.of() : List.copyOf(search);
            options = options == null ? List.of() : List.copyOf(options);
        }
    }

    /** The interfaces on the host's side (no sandbox), such as the host end of a veth pair or a bridge. */
    public List<Interface> hostInterfaces() {
        return interfaces.stream().filter(i -> i.sandbox() == null || i.sandbox().isEmpty()).toList();
    }

    /**
     * The addresses of the sandbox interface {@code ifName}. Addresses without an interface index
     * (old results) count as that interface's.
     */
    public List<IpConfig> addressesOf(String ifName) {
        List<IpConfig> found = new ArrayList<>();
        for (IpConfig ip : ips) {
            Integer i = ip.interfaceIndex();
            if (i == null) {
                found.add(ip);
            } else if (i >= 0 && i < interfaces.size()) {
                Interface iface = interfaces.get(i);
                if (iface.name().equals(ifName) && iface.sandbox() != null && !iface.sandbox().isEmpty()) {
                    found.add(ip);
                }
            }
        }
        return found;
    }
}
