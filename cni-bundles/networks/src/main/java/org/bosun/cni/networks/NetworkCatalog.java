package org.bosun.cni.networks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkDefinition;
import org.bosun.cni.api.CniExecutor;
import org.bosun.cni.api.NetworkConfig;
import org.bosun.cni.api.PluginConfig;
import org.bosun.host.config.ConfigFolder;

/**
 * Turns the networks of {@code --net=} into configurations: {@code host} and {@code none} are
 * special, {@code default} and {@code default-restricted} are built in unless a {@code net.d} file
 * declares a network of that name, and every other name is a user network from
 * {@code net.d/*.conf} or {@code *.conflist} of the local configuration directory, then the system
 * one. Files are read in file-name order; the first file declaring a name wins, so a local file
 * shadows a system file of the same network. A name that is an absolute path is that CNI
 * configuration file itself ({@code .conf}, {@code .conflist} or {@code .json}, as libcni reads
 * them), whatever directory it is in: the CRI server's default network, the first file of
 * Kubernetes' CNI configuration directory ({@code /etc/cni/net.d}), is named so.
 */
final class NetworkCatalog {
    static final String HOST = "host";
    static final String NONE = "none";
    private static final String NET_D = "net.d";
    private static final Set<String> RESERVED = Set.of(HOST, NONE, BuiltinNetworks.LOOPBACK);

    /** One network to attach. */
    record Planned(String name, Map<String, String> args, NetworkConfig config) {
    }

    /** What a request asks for: the host's namespace, or an own namespace with these networks (none: no network). */
    record Plan(boolean host, List<Planned> networks) {
    }

    private final CniExecutor executor;
    private final BuiltinNetworks builtins;

    /** A catalog whose built-in networks are rkt's, with their leases under each data dir (tests of configuration only). */
    NetworkCatalog(CniExecutor executor) {
        this(executor, BuiltinNetworks.rkt(null));
    }

    NetworkCatalog(CniExecutor executor, BuiltinNetworks builtins) {
        this.executor = executor;
        this.builtins = builtins;
    }

    Plan plan(RuntimePaths paths, List<Map.Entry<String, Map<String, String>>> requested) {
        List<Map.Entry<String, Map<String, String>>> asked = requested.isEmpty()
                ? List.of(Map.entry(BuiltinNetworks.DEFAULT, Map.of())) : requested;
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Map<String, String>> e : asked) {
            String name = e.getKey();
            if (!seen.add(name)) {
                throw BosunException.invalid("network " + name + " is named twice in --net=; name each network once");
            }
            if ((name.equals(HOST) || name.equals(NONE))) {
                if (asked.size() > 1) {
                    throw BosunException.invalid("--net=" + name + " cannot be combined with other networks");
                }
                if (!e.getValue().isEmpty()) {
                    throw BosunException.invalid("--net=" + name + " takes no arguments");
                }
                return new Plan(name.equals(HOST), List.of());
            }
            if (name.equals(BuiltinNetworks.LOOPBACK)) {
                throw BosunException.invalid("network lo is the pod's loopback, which every pod with its own namespace"
                        + " has; name another network");
            }
        }
        Map<String, NetworkConfig> user = userNetworks(paths);
        List<Planned> planned = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : asked) {
            if (e.getKey().startsWith("/")) {
                NetworkConfig config = file(Path.of(e.getKey()));
                planned.add(new Planned(config.name(), e.getValue(), config));
                continue;
            }
            NetworkConfig config = user.get(e.getKey());
            if (config == null) {
                config = builtin(paths, e.getKey());
            }
            if (config == null) {
                Set<String> known = new TreeSet<>(user.keySet());
                known.addAll(List.of(BuiltinNetworks.DEFAULT, BuiltinNetworks.DEFAULT_RESTRICTED, HOST, NONE));
                throw BosunException.notFound("network " + e.getKey() + " is not defined: no *.conf or *.conflist in "
                        + netd(paths.localConfigDir()) + " or " + netd(paths.systemConfigDir()) + " declares it (known: "
                        + String.join(", ", known) + ")");
            }
            planned.add(new Planned(e.getKey(), e.getValue(), config));
        }
        return new Plan(false, planned);
    }

    /**
     * Every network {@code --net=} can name, in the order a name is looked up: the {@code net.d} files'
     * (local before system, each in file-name order), the built-in ones no file replaces, then host and none.
     */
    List<NetworkDefinition> definitions(RuntimePaths paths) {
        Map<String, NetworkConfig> user = userNetworks(paths);
        List<NetworkDefinition> all = new ArrayList<>();
        user.values().forEach(c -> all.add(new NetworkDefinition(c.name(), c.source(), types(c))));
        for (String name : List.of(BuiltinNetworks.DEFAULT, BuiltinNetworks.DEFAULT_RESTRICTED)) {
            if (!user.containsKey(name)) {
                all.add(new NetworkDefinition(name, NetworkDefinition.BUILT_IN, types(builtin(paths, name))));
            }
        }
        all.add(new NetworkDefinition(HOST, NetworkDefinition.BUILT_IN, List.of()));
        all.add(new NetworkDefinition(NONE, NetworkDefinition.BUILT_IN, List.of()));
        return all;
    }

    private static List<String> types(NetworkConfig config) {
        return config.plugins().stream().map(PluginConfig::type).toList();
    }

    NetworkConfig loopback() {
        return executor.parse(BuiltinNetworks.LOOPBACK_JSON, "built-in network lo");
    }

    private NetworkConfig builtin(RuntimePaths paths, String name) {
        String json = builtins.json(name, ipamDir(paths));
        return json == null ? null : executor.parse(json, "built-in network " + name);
    }

    /** The network a CNI configuration file declares, named by its path. */
    private NetworkConfig file(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!(name.endsWith(".conf") || name.endsWith(".conflist") || name.endsWith(".json"))) {
            throw BosunException.invalid("network config " + file + " is not a .conf, .conflist or .json file; name a"
                    + " CNI configuration file");
        }
        NetworkConfig config;
        try {
            config = executor.load(file);
        } catch (BosunException e) {
            throw new BosunException(e.kind(), e.getMessage() + "; fix the file, or remove it from " + file.getParent()
                    + " if that directory chose it", e);
        }
        if (RESERVED.contains(config.name())) {
            throw BosunException.invalid("network config " + file + " declares network '" + config.name()
                    + "', a name bosun reserves (" + String.join(", ", new TreeSet<>(RESERVED)) + "); rename it");
        }
        return config;
    }

    /** The user networks by name, local before system, each directory in file-name order. */
    Map<String, NetworkConfig> userNetworks(RuntimePaths paths) {
        Map<String, NetworkConfig> networks = new LinkedHashMap<>();
        ConfigFolder netd = ConfigFolder.of(paths, NET_D);
        for (Path dir : List.of(netd.local(), netd.system())) {
            for (Path file : ConfigFolder.list(dir, "*.{conf,conflist}")) {
                NetworkConfig config = executor.load(file);
                if (RESERVED.contains(config.name())) {
                    throw BosunException.invalid("network config " + file + " declares network '" + config.name()
                            + "', a name bosun reserves (" + String.join(", ", new TreeSet<>(RESERVED))
                            + "); rename it");
                }
                networks.putIfAbsent(config.name(), config);
            }
        }
        return networks;
    }

    static Path netd(Path configDir) {
        return configDir.resolve(NET_D);
    }

    static Path ipamDir(RuntimePaths paths) {
        return paths.dataDir().resolve("networks").resolve("ipam");
    }

    static Path cacheDir(RuntimePaths paths) {
        return paths.dataDir().resolve("networks").resolve("cache");
    }
}
