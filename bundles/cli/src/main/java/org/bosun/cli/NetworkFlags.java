package org.bosun.cli;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.pod.PodOptions.DnsSettings;

import picocli.CommandLine.Option;

/**
 * rkt's network flags: {@code run} and {@code prepare} take them, and {@code run-prepared} too,
 * where rkt set a pod's network up.
 */
final class NetworkFlags {
    @Option(names = "--net", paramLabel = "NAME[:K=V;...][,NAME...]", split = ",",
            description = "networks to join: default, default-restricted, host, none or a network from net.d (repeatable; default: default)")
    List<String> networks = new ArrayList<>();

    @Option(names = "--dns", paramLabel = "IP|host|none", description = "a name server for the pod (repeatable); 'host' copies the host's resolv.conf, 'none' writes none (an app keeps its image's own, if any)")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dns-search", paramLabel = "DOMAIN", description = "a DNS search domain (repeatable)")
    List<String> dnsSearch = new ArrayList<>();

    @Option(names = "--dns-opt", paramLabel = "OPT", description = "a resolv.conf option (repeatable)")
    List<String> dnsOptions = new ArrayList<>();

    @Option(names = "--dns-domain", paramLabel = "DOMAIN", description = "the pod's DNS domain")
    String dnsDomain;

    @Option(names = "--hostname", paramLabel = "NAME", description = "the pod's host name (default: bosun-UUID8)")
    String hostname;

    DnsSettings dns() {
        return PodFlagParser.dns(dns, dnsSearch, dnsOptions, dnsDomain);
    }

    /** Whether any --dns* flag was given. */
    boolean dnsGiven() {
        return !dns.isEmpty() || !dnsSearch.isEmpty() || !dnsOptions.isEmpty() || dnsDomain != null;
    }
}
