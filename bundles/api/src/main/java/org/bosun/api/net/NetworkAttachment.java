package org.bosun.api.net;

/**
 * One network a pod is attached to.
 *
 * @param network the network's name ({@code default}, {@code mynet})
 * @param interfaceName the interface inside the pod
 * @param address the pod's address with prefix length, or null
 * @param gateway the gateway, or null
 * @param dns the DNS settings the network gave, never null
 */
public record NetworkAttachment(String network, String interfaceName, String address, String gateway, Dns dns) {
    public NetworkAttachment {
        dns = dns == null ? Dns.NONE : dns;
    }

    /** An attachment whose network gave no DNS settings. */
    public NetworkAttachment(String network, String interfaceName, String address, String gateway) {
        this(network, interfaceName, address, gateway, null);
    }

    /**
     * DNS settings a network hands its pods (a CNI result's {@code dns}).
     *
     * @param nameservers name server addresses, in order
     * @param domain the local domain, or null
     * @param search search domains, in order
     * @param options resolver options ({@code ndots:2})
     */
    public record Dns(java.util.List<String> nameservers, String domain, java.util.List<String> search,
            java.util.List<String> options) {
        public static final Dns NONE = new Dns(null, null, null, null);

        public Dns {
            nameservers = nameservers == null ? java.util.List.of() : java.util.List.copyOf(nameservers);
            search = search == null ? java.util.List.of() : java.util.List.copyOf(search);
            options = options == null ? java.util.List.of() : java.util.List.copyOf(options);
        }

        /** Whether the network said anything about DNS. */
        public boolean absent() {
            return nameservers.isEmpty() && domain == null && search.isEmpty() && options.isEmpty();
        }
    }
}
