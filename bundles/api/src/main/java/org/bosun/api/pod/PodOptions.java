package org.bosun.api.pod;

import java.util.List;
import java.util.Map;

/**
 * Pod-level settings of {@code run} and {@code prepare}, as rkt's flags name them. Null or empty
 * means "the default".
 *
 * @param hostname {@code --hostname}; default {@code rkt-<uuid>}-like {@code bosun-<uuid8>}
 * @param networks {@code --net=name[:K=V;...],...}, in order; empty means {@code default}
 * @param ports {@code --port}
 * @param dns {@code --dns*}
 * @param hostsEntries {@code --hosts-entry IP=HOST[,HOST]}, or the single word {@code host}
 * @param volumes {@code --volume}
 * @param environment {@code --set-env-file} then {@code --set-env}, for every app
 * @param inheritedEnvironment the caller's environment with {@code --inherit-env}, else empty
 * @param interactive {@code --interactive}: a terminal for the (single) app
 * @param privateUsers {@code --private-users}: a user namespace with an allocated host range
 * @param noOverlay {@code --no-overlay}: copy image trees instead of mounting overlayfs
 * @param pullPolicy {@code --pull-policy}: {@code new}, {@code update} or {@code never}
 * @param engineOptions engine-specific settings ({@code --stage1-option K=V}, e.g. {@code runtime=crun})
 * @param ipc {@code --ipc}: {@code auto} (the engine's default), {@code private} (the pod's own IPC
 *        namespace) or {@code parent} (the host's); a prepared pod records {@code private} or {@code parent}
 * @param sysctls {@code --sysctl KEY=VALUE}: kernel settings of the pod's own namespaces (network, IPC),
 *        set before any app starts, in order
 */
public record PodOptions(String hostname, List<NetworkChoice> networks, List<PortForward> ports, DnsSettings dns,
        List<String> hostsEntries, List<VolumeSpec> volumes, Map<String, String> environment,
        Map<String, String> inheritedEnvironment, boolean interactive, boolean privateUsers, boolean noOverlay,
        String pullPolicy, Map<String, String> engineOptions, String ipc, Map<String, String> sysctls) {
    public static final PodOptions DEFAULTS = new PodOptions(null, null, null, null, null, null, null, null, false,
            false, false, null, null, null, null);
    /** The values of {@link #ipc()}. */
    public static final String IPC_AUTO = "auto", IPC_PRIVATE = "private", IPC_PARENT = "parent";

    /** The options with the engine's default IPC namespace ({@code --ipc=auto}). */
    public PodOptions(String hostname, List<NetworkChoice> networks, List<PortForward> ports, DnsSettings dns,
            List<String> hostsEntries, List<VolumeSpec> volumes, Map<String, String> environment,
            Map<String, String> inheritedEnvironment, boolean interactive, boolean privateUsers, boolean noOverlay,
            String pullPolicy, Map<String, String> engineOptions) {
        this(hostname, networks, ports, dns, hostsEntries, volumes, environment, inheritedEnvironment, interactive,
                privateUsers, noOverlay, pullPolicy, engineOptions, null);
    }

    /** The options without sysctls. */
    public PodOptions(String hostname, List<NetworkChoice> networks, List<PortForward> ports, DnsSettings dns,
            List<String> hostsEntries, List<VolumeSpec> volumes, Map<String, String> environment,
            Map<String, String> inheritedEnvironment, boolean interactive, boolean privateUsers, boolean noOverlay,
            String pullPolicy, Map<String, String> engineOptions, String ipc) {
        this(hostname, networks, ports, dns, hostsEntries, volumes, environment, inheritedEnvironment, interactive,
                privateUsers, noOverlay, pullPolicy, engineOptions, ipc, null);
    }

    public PodOptions {
        networks = networks == null ? List.of() : List.copyOf(networks);
        ports = ports == null ? List.of() : List.copyOf(ports);
        dns = dns == null ? DnsSettings.DEFAULT : dns;
        hostsEntries = hostsEntries == null ? List.of() : List.copyOf(hostsEntries);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        environment = environment == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
        inheritedEnvironment = inheritedEnvironment == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inheritedEnvironment));
        pullPolicy = pullPolicy == null ? "new" : pullPolicy;
        engineOptions = engineOptions == null ? Map.of() : Map.copyOf(engineOptions);
        ipc = ipc == null ? IPC_AUTO : ipc;
        sysctls = sysctls == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sysctls));
    }

    /** These options with {@code ipc} instead. */
    public PodOptions withIpc(String ipc) {
        return new PodOptions(hostname, networks, ports, dns, hostsEntries, volumes, environment, inheritedEnvironment,
                interactive, privateUsers, noOverlay, pullPolicy, engineOptions, ipc, sysctls);
    }

    /** These options with {@code sysctls} instead. */
    public PodOptions withSysctls(Map<String, String> sysctls) {
        return new PodOptions(hostname, networks, ports, dns, hostsEntries, volumes, environment, inheritedEnvironment,
                interactive, privateUsers, noOverlay, pullPolicy, engineOptions, ipc, sysctls);
    }

    /**
     * One network of {@code --net}.
     *
     * @param name {@code default}, {@code default-restricted}, {@code host}, {@code none} or a user network
     * @param args {@code CNI_ARGS}-style arguments ({@code IP=10.1.2.3})
     */
    public record NetworkChoice(String name, Map<String, String> args) {
        public NetworkChoice {
            args = args == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
        }
    }

    /**
     * A forwarded port: {@code --port NAME:HOSTPORT} or {@code NAME:PROTO:PODPORT:HOSTIP:HOSTPORT}.
     *
     * @param name the port's name in an app's image ({@code 80-tcp}), or null
     * @param protocol {@code tcp} or {@code udp}
     * @param podPort the port inside the pod, 0 to take it from the named image port
     * @param hostIp the host address to listen on, or null for all
     * @param hostPort the host port
     */
    public record PortForward(String name, String protocol, int podPort, String hostIp, int hostPort) {
    }

    /**
     * {@code --dns} (servers, or the single word {@code host} or {@code none}), {@code --dns-search},
     * {@code --dns-opt}, {@code --dns-domain}.
     *
     * @param mode {@code default} (what the networks' CNI results say), {@code explicit}, {@code host}, {@code none}
     */
    public record DnsSettings(String mode, List<String> servers, List<String> search, List<String> options,
            String domain) {
        public static final DnsSettings DEFAULT = new DnsSettings("default", null, null, null, null);

        public DnsSettings {
            mode = mode == null ? "default" : mode;
            servers = servers == null ? List.of() : List.copyOf(servers);
            search = search == null ? List.of() : List.copyOf(search);
            options = options == null ? List.of() : List.copyOf(options);
        }
    }

    /**
     * A pod volume, {@code --volume NAME,kind=host|empty,source=PATH,readOnly=B,recursive=B,mode=,uid=,gid=}.
     *
     * @param name the volume's name, used by mount points and {@code --mount volume=}
     * @param kind {@code host} or {@code empty}
     * @param source the host path ({@code host} only)
     * @param readOnly mounted read-only
     * @param recursive bind sub-mounts too ({@code host} only); default true as in rkt
     * @param mode permissions of an {@code empty} volume, octal ({@code 0755})
     * @param uid owner of an {@code empty} volume
     * @param gid group of an {@code empty} volume
     * @param propagation the mount propagation of a {@code host} volume's binds: null or {@code private}
     *        (the default), {@code rslave} (mounts made on the host below the source after the app
     *        started appear in it) or {@code rshared} (also the app's mounts appear on the host); only
     *        for apps added to a sandbox on an engine that supports it (oci)
     */
    public record VolumeSpec(String name, String kind, String source, boolean readOnly, boolean recursive, String mode,
            Integer uid, Integer gid, String propagation) {
        /** A volume with the default (private) propagation. */
        public VolumeSpec(String name, String kind, String source, boolean readOnly, boolean recursive, String mode,
                Integer uid, Integer gid) {
            this(name, kind, source, readOnly, recursive, mode, uid, gid, null);
        }
    }
}
