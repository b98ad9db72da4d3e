package org.bosun.cni.networks;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.net.NetworkDefinition;
import org.bosun.api.net.NetworkProvider;
import org.bosun.api.net.NetworkProviderService;
import org.bosun.api.net.NetworkRequest;
import org.bosun.cni.api.CniAttachment;
import org.bosun.cni.api.CniContext;
import org.bosun.cni.api.CniExecutor;
import org.bosun.cni.api.CniResult;
import org.bosun.cni.api.NetworkConfig;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * bosun's networks through CNI, named as in rkt's {@code --net=}. A pod with its own network
 * namespace always gets {@code lo}, then each requested network in order as {@code eth0},
 * {@code eth1}, ... Attaching is all or nothing; everything is recorded in the pod directory
 * ({@link PodNetworkRecord}) before it is done, so {@link #detach} needs nothing else.
 * <p>
 * The pod's network namespace is the core's: it exists before {@link #attach} and is removed
 * after {@link #detach}. This provider only adds interfaces to it and deletes them, so a
 * {@code DEL} always finds the namespace its {@code ADD} used.
 */
@Component(service = NetworkProvider.class)
@NetworkProviderService(name = "cni")
@Designate(ocd = CniNetworkProvider.Config.class)
public final class CniNetworkProvider implements NetworkProvider {
    private static final System.Logger LOG = System.getLogger(CniNetworkProvider.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @ObjectClassDefinition(name = "bosun CNI networks")
    public @interface Config {
        @AttributeDefinition(description = "Directories searched for CNI plugin binaries, in order")
        String[] pluginDirs() default { "/usr/lib/cni", "/opt/cni/bin" };

        @AttributeDefinition(description = "Seconds one plugin call may run before it is killed")
        int pluginTimeoutSeconds() default 60;

        /*
         * Host-wide, not per data dir: the built-in subnets, their routes and NAT rules are the host's,
         * so two data dirs (two bosun installations, parallel tests) must draw from one lease pool.
         */
        @AttributeDefinition(description = "Where the built-in networks (default, default-restricted) keep their"
                + " IPAM leases, one directory per network")
        String builtinIpamDir() default "/var/lib/cni/bosun";
    }

    private final CniExecutor executor;
    private final NetworkCatalog catalog;
    private final List<Path> pluginDirs;
    private final Duration timeout;

    @Activate
    public CniNetworkProvider(@Reference CniExecutor executor, Config config) {
        this(executor, List.of(config.pluginDirs()).stream().map(Path::of).toList(),
                Duration.ofSeconds(config.pluginTimeoutSeconds()), BuiltinNetworks.rkt(Path.of(config.builtinIpamDir())));
    }

    /** @param builtins the built-in networks: rkt's on the host-wide lease pool, or a test's own subnets */
    CniNetworkProvider(CniExecutor executor, List<Path> pluginDirs, Duration timeout, BuiltinNetworks builtins) {
        this.executor = executor;
        this.catalog = new NetworkCatalog(executor, builtins);
        this.pluginDirs = List.copyOf(pluginDirs);
        this.timeout = timeout;
    }

    /** The networks {@code --net=} can name: the net.d files', the built-in ones, host and none. */
    @Override
    public List<NetworkDefinition> networks(RuntimePaths paths) {
        return catalog.definitions(paths);
    }

    @Override
    public List<NetworkAttachment> attach(NetworkRequest request) {
        NetworkCatalog.Plan plan = catalog.plan(request.paths(), request.networks());
        if (plan.host()) {
            return List.of();
        }
        long start = System.nanoTime();
        Path podDir = request.podDir();
        if (request.netns() == null || !Files.exists(request.netns())) {
            throw BosunException.precondition("pod " + request.podUuid() + " has no network namespace"
                    + (request.netns() == null ? "" : " at " + request.netns()) + " to attach networks to");
        }
        if (PodNetworkRecord.read(podDir).isPresent()) {
            throw BosunException.precondition("pod " + request.podUuid() + " is attached to networks already ("
                    + PodNetworkRecord.file(podDir) + "); detach it first");
        }
        CniContext context = new CniContext(pluginDirs, NetworkCatalog.cacheDir(request.paths()), timeout);
        List<NetworkCatalog.Planned> networks = new ArrayList<>();
        networks.add(new NetworkCatalog.Planned(BuiltinNetworks.LOOPBACK, Map.of(), catalog.loopback()));
        networks.addAll(plan.networks());
        List<PodNetworkRecord.Attachment> entries = new ArrayList<>();
        Map<String, Object> capabilityArgs = capabilityArgs(request);
        for (int i = 0; i < networks.size(); i++) {
            NetworkCatalog.Planned n = networks.get(i);
            executor.verify(context, n.config());
            entries.add(new PodNetworkRecord.Attachment(n.name(), i == 0 ? "lo" : "eth" + (i - 1), n.args(),
                    i == 0 ? Map.of() : capabilityArgs,
                    tree(n.config().json()), n.config().source(), PodNetworkRecord.PENDING, null));
        }
        PodNetworkRecord record = new PodNetworkRecord(PodNetworkRecord.VERSION, request.podUuid(),
                request.netns().toString(), context.cacheDir().toString(),
                pluginDirs.stream().map(Path::toString).toList(), timeout.toMillis(), entries);
        // Written once before any ADD (a crash leaves pending entries, which detach deletes: DEL is
        // idempotent) and once with the results: a write per network would cost as much as a plugin call.
        record.write(podDir);
        List<NetworkAttachment> attached = new ArrayList<>();
        int next = 0;
        try {
            for (; next < networks.size(); next++) {
                PodNetworkRecord.Attachment entry = entries.get(next);
                CniResult result = executor.add(context, networks.get(next).config(), attachment(record, entry));
                entries.set(next, entry.added(tree(result.json())));
                if (next > 0) {
                    attached.add(describe(entry, result));
                }
            }
            record = record.with(entries);
            record.write(podDir);
        } catch (BosunException failure) {
            BosunException undoFailure = undo(podDir, record, next, failure);
            if (undoFailure != null) {
                throw new BosunException(failure.kind(), failure.getMessage() + "; undoing the attach failed too ("
                        + undoFailure.getMessage() + "); detach the pod (bosun gc) to retry", failure);
            }
            throw failure;
        }
        LOG.log(Level.DEBUG, () -> "pod " + request.podUuid() + ": attached lo" + attached.stream()
                .map(a -> ", " + a.network() + " (" + a.interfaceName() + " " + a.address() + ")").reduce("", String::concat)
                + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        return attached;
    }

    /**
     * Deletes, newest first, what {@link #attach} added before it failed at {@code failed}.
     *
     * @return the first failure to delete, or null when nothing is left
     */
    private BosunException undo(Path podDir, PodNetworkRecord record, int failed, BosunException failure) {
        BosunException firstUndoFailure = null;
        List<PodNetworkRecord.Attachment> remaining = new ArrayList<>(record.attachments());
        CniContext context = context(record);
        for (int i = Math.min(failed, remaining.size() - 1); i >= 0; i--) {
            PodNetworkRecord.Attachment entry = remaining.get(i);
            // The executor already undid the failed network, unless that undo failed and left its cache entry.
            if (i == failed && executor.cached(context, entry.network(), record.containerId(), entry.ifName()).isEmpty()) {
                remaining.remove(i);
                continue;
            }
            try {
                executor.delete(context, config(entry), attachment(record, entry));
                remaining.remove(i);
            } catch (BosunException e) {
                failure.addSuppressed(e);
                firstUndoFailure = firstUndoFailure == null ? e : firstUndoFailure;
            }
        }
        remaining.removeIf(e -> PodNetworkRecord.PENDING.equals(e.state())
                && executor.cached(context, e.network(), record.containerId(), e.ifName()).isEmpty());
        if (remaining.isEmpty()) {
            PodNetworkRecord.remove(podDir);
            return null;
        }
        record.with(remaining).write(podDir);
        if (firstUndoFailure == null) {
            // Only the executor's own undo of the failed network failed; its error is among the suppressed ones.
            firstUndoFailure = failure.getSuppressed().length > 0 && failure.getSuppressed()[0] instanceof BosunException b
                    ? b : BosunException.precondition("network " + remaining.get(0).network() + " is still attached");
        }
        return firstUndoFailure;
    }

    @Override
    public void check(Path podDir) {
        PodNetworkRecord record = PodNetworkRecord.read(podDir).orElseThrow(() -> BosunException.notFound(
                "pod directory " + podDir + " records no networks (" + PodNetworkRecord.file(podDir) + ")"));
        CniContext context = context(record);
        for (PodNetworkRecord.Attachment entry : record.attachments()) {
            if (!PodNetworkRecord.ADDED.equals(entry.state())) {
                throw BosunException.precondition("network " + entry.network() + " of pod " + record.containerId()
                        + " was never attached completely; detach the pod");
            }
            executor.check(context, entry.network(), record.containerId(), entry.ifName());
        }
    }

    @Override
    public void detach(Path podDir) {
        long start = System.nanoTime();
        PodNetworkRecord record = PodNetworkRecord.read(podDir).orElse(null);
        if (record != null) {
            List<PodNetworkRecord.Attachment> remaining = new ArrayList<>(record.attachments());
            CniContext context = context(record);
            BosunException first = null;
            for (int i = remaining.size() - 1; i >= 0; i--) {
                PodNetworkRecord.Attachment entry = remaining.get(i);
                try {
                    executor.delete(context, config(entry), attachment(record, entry));
                    remaining.remove(i);
                } catch (BosunException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                // What is left stays recorded, and the namespace too: a repeated DEL may need the interfaces in it.
                record.with(remaining).write(podDir);
                throw new BosunException(first.kind(), first.getMessage() + " (pod " + record.containerId() + ": "
                        + remaining.size() + " network(s) still attached; detach again once fixed)", first);
            }
            PodNetworkRecord.remove(podDir);
        }
        LOG.log(Level.DEBUG, () -> "pod directory " + podDir + ": detached " + (record == null ? "nothing"
                : record.attachments().size() + " network(s)") + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    /** The context a record was attached with; directories configured now are searched after the recorded ones. */
    private CniContext context(PodNetworkRecord record) {
        Set<Path> dirs = new LinkedHashSet<>();
        record.pluginDirs().forEach(d -> dirs.add(Path.of(d)));
        dirs.addAll(pluginDirs);
        return new CniContext(List.copyOf(dirs), Path.of(record.cacheDir()), Duration.ofMillis(record.timeoutMillis()));
    }

    private NetworkConfig config(PodNetworkRecord.Attachment entry) {
        return executor.parse(entry.config().toString(), entry.source());
    }

    private static CniAttachment attachment(PodNetworkRecord record, PodNetworkRecord.Attachment entry) {
        return new CniAttachment(record.containerId(), Path.of(record.netns()), entry.ifName(), entry.args(),
                entry.capabilityArgs());
    }

    /**
     * The runtime values of a request, by CNI capability. Each plugin gets only those its
     * configuration declares: {@code portMappings} reaches the portmap plugin of every network that has one.
     */
    private static Map<String, Object> capabilityArgs(NetworkRequest request) {
        if (request.portMappings().isEmpty()) {
            return Map.of();
        }
        List<Map<String, Object>> mappings = new ArrayList<>();
        for (NetworkRequest.PortMapping m : request.portMappings()) {
            Map<String, Object> mapping = new java.util.LinkedHashMap<>();
            mapping.put("hostPort", m.hostPort());
            mapping.put("containerPort", m.containerPort());
            mapping.put("protocol", m.protocol());
            if (m.hostIp() != null) {
                mapping.put("hostIP", m.hostIp());
            }
            mappings.add(mapping);
        }
        return Map.of("portMappings", mappings);
    }

    /** The pod's address on a network: its IPv4 address if it has one. */
    private static NetworkAttachment describe(PodNetworkRecord.Attachment entry, CniResult result) {
        List<CniResult.IpConfig> ips = result.addressesOf(entry.ifName());
        CniResult.IpConfig ip = ips.stream().filter(i -> !i.isIpv6()).findFirst()
                .orElse(ips.isEmpty() ? null : ips.get(0));
        CniResult.Dns dns = result.dns();
        return new NetworkAttachment(entry.network(), entry.ifName(), ip == null ? null : ip.address(),
                ip == null ? null : ip.gateway(),
                new NetworkAttachment.Dns(dns.nameservers(), dns.domain(), dns.search(), dns.options()));
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw BosunException.internal("not JSON: " + json, e);
        }
    }
}
