package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.net.NetworkRequest;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodState;
import org.bosun.host.cgroup.CgroupTree;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;


/**
 * A pod's network, set up at prepare time and released once the pod has stopped, in this order:
 * its host record ({@link PodHoldings}), its namespace ({@link PodNetworkNamespace}), its
 * networks through the provider, its {@code etc/} files ({@link PodEtcFiles}); released provider
 * first, since its {@code DEL}s need the interfaces in the namespace. Besides the namespace,
 * {@code <pod>/net/} (a link to the host record's {@code net/}) records:
 * <ul>
 * <li>{@code net/provider}: the network provider ({@code cni}) asked to attach the pod's networks,
 * recorded before it is asked, so gc detaches through whichever version of it is installed then
 * (the provider keeps everything its {@code DEL}s need in the same {@code net/}).</li>
 * <li>{@code net/attachments.json}: what each network gave the pod (interface, address, gateway,
 * DNS), for {@code bosun status}; kept until the pod is collected.</li>
 * </ul>
 * {@code --net=host} shares the caller's namespace (no netns, nothing to detach); {@code --net=none}
 * is a namespace with only {@code lo}, up; every other network goes through the provider.
 * <p>
 * There is no daemon to see a pod exit, so what it held is released by the first command that
 * sees it stopped ({@link #releaseStopped}: list, status, a {@code --port} claim) and by gc, which
 * also releases what pods whose directories are gone still hold ({@link #releaseOrphans}).
 */
final class PodNetwork {
    static final String HOST = "host";
    static final String NONE = "none";
    static final String DEFAULT = "default";
    /** The provider every network but host and none goes through. */
    static final String PROVIDER = "cni";
    static final String PROVIDER_RECORD = "provider";
    static final String ATTACHMENTS = "attachments.json";
    private static final System.Logger LOG = System.getLogger(PodNetwork.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ServiceLookup services;
    private final PodFiles files;
    private final PodHoldings holdings;
    private final PodNetworkNamespace namespace;
    private final PodEtcFiles etcFiles;
    private final PodMetadataRegistration metadata = new PodMetadataRegistration();

    PodNetwork(ServiceLookup services, PodFiles files) {
        this(services, files, new PodHoldings(PodHoldings.ROOT));
    }

    /** @param holdings where pods record what they hold on the host; tests give their own */
    PodNetwork(ServiceLookup services, PodFiles files, PodHoldings holdings) {
        this.services = services;
        this.files = files;
        this.holdings = holdings;
        this.namespace = new PodNetworkNamespace(files);
        this.etcFiles = new PodEtcFiles(files);
    }

    /** The networks a pod asks for: {@code --net}, or {@code default}; engines without namespaces get {@code host}. */
    static List<PodOptions.NetworkChoice> networks(PodOptions options, boolean privateNetwork) {
        if (options.networks().isEmpty()) {
            return List.of(new PodOptions.NetworkChoice(privateNetwork ? DEFAULT : HOST, null));
        }
        return options.networks();
    }

    static boolean isHost(List<PodOptions.NetworkChoice> networks) {
        return networks.size() == 1 && networks.get(0).name().equals(HOST);
    }

    static boolean isNone(List<PodOptions.NetworkChoice> networks) {
        return networks.size() == 1 && networks.get(0).name().equals(NONE);
    }

    /** The pod's host name: {@code --hostname}, or {@code bosun-<uuid8>}. */
    static String hostname(PodOptions options, String uuid) {
        return options.hostname() != null ? options.hostname() : "bosun-" + uuid.replace("-", "").substring(0, 8);
    }

    /**
     * Refuses, before anything is created, a network request the engine or the installed bundles
     * cannot serve.
     */
    void check(String engineName, boolean privateNetwork, PodOptions options) {
        List<PodOptions.NetworkChoice> networks = networks(options, privateNetwork);
        for (PodOptions.NetworkChoice n : networks) {
            if ((n.name().equals(HOST) || n.name().equals(NONE)) && networks.size() > 1) {
                throw BosunException.invalid("--net=" + n.name() + " cannot be combined with other networks");
            }
        }
        if (!privateNetwork && !isHost(networks)) {
            throw BosunException.invalid("stage1 engine '" + engineName + "' runs pods only on the host's network;"
                    + " use --net=host, or another engine with --stage1-name");
        }
        if (isHost(networks) && !options.ports().isEmpty()) {
            throw BosunException.invalid("--port forwards into a pod's own network; with --net=host the apps listen"
                    + " on the host's ports already");
        }
        if (isNone(networks) && !options.ports().isEmpty()) {
            throw BosunException.invalid("--port needs a network to forward from; --net=none has only lo");
        }
        if (!isHost(networks) && !isNone(networks) && !services.hasNetworkProvider(PROVIDER)) {
            throw BosunException.unavailable("network provider '" + PROVIDER + "' is not installed, and --net="
                    + String.join(",", networks.stream().map(PodOptions.NetworkChoice::name).toList())
                    + " needs it; install the CNI bundles, or run with --net=host or --net=none");
        }
        PodEtcFiles.check(options);
    }

    /**
     * Gives the pod its network and its {@code etc/} files. On failure, whatever was done is undone
     * before the error is thrown. Forwarded host ports are claimed first ({@link PodPortClaims}),
     * under the host-wide ports lock until the forwards exist.
     */
    void setUp(RuntimePaths paths, String uuid, Path podDir, PodOptions options, boolean privateNetwork,
            List<ImageManifest.Port> imagePorts, String hostname) {
        List<PodOptions.NetworkChoice> networks = networks(options, privateNetwork);
        List<NetworkRequest.PortMapping> ports = PodPortMappings.of(options.ports(), imagePorts);
        try (PodLock claim = ports.isEmpty() ? null : holdings.portsLock()) {
            List<NetworkAttachment> attached = List.of();
            if (!isHost(networks)) {
                if (!ports.isEmpty()) {
                    new PodPortClaims(this, holdings).claim(paths, ports);
                }
                Path records = holdings.open(paths, uuid, podDir, ports);
                Path netns = namespace.create(records, uuid, isNone(networks));
                if (!isNone(networks)) {
                    attached = attach(new NetworkRequest(paths, uuid, records, netns, asked(networks), ports));
                }
                writeAttachments(records, attached);
            }
            etcFiles.write(podDir, options, hostname, isHost(networks), attached);
            String noMetadata = metadata.register(podDir, uuid, isHost(networks), isNone(networks), attached);
            if (noMetadata != null) {
                files.appendNotes(podDir, List.of(noMetadata));
            }
        } catch (RuntimeException e) {
            try {
                tearDown(podDir, uuid);
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
                throw new BosunException(e instanceof BosunException b ? b.kind() : ErrorKind.INTERNAL,
                        e.getMessage() + "; undoing the pod's network failed too (" + undo.getMessage()
                                + "); run bosun gc to retry", e);
            }
            throw e;
        }
    }

    /** Tells a running appc metadata service that the pod is gone (gc): it is refused from now on. */
    void forgetMetadata(String uuid) {
        metadata.forget(uuid);
    }

    /**
     * Detaches the pod's networks through the provider that attached them, removes its namespace,
     * then its records and its host record. Safe to call again, also after a partial set-up or a
     * failed tear-down. The caller holds the pod's lock.
     */
    void tearDown(Path podDir, String uuid) {
        Path records = PodNetRecords.owner(podDir);
        detachAndDelete(records, uuid);
        PodNetRecords.remove(records, ATTACHMENTS);
        PodNetRecords.removeDirIfEmpty(records);
        if (!Files.exists(records.resolve(PodNetRecords.DIR))) {
            PodNetRecords.unlink(podDir);
            // Also a record made just before a kill left the pod without its link.
            holdings.remove(uuid);
        }
    }

    /**
     * Releases what a stopped pod holds on the host (its networks and namespace; the record of
     * what it had stays for status until gc). Only a pod that can never run again: exited, marked
     * for gc, or an aborted preparation. Takes the pod's lock shared (a status meanwhile still
     * sees the pod exited; gc and rm, which take it exclusively, wait their turn) and its host
     * record's lock (two commands never release it at once).
     *
     * @return null when it holds nothing now, else why it still does
     */
    String releaseStopped(PodStore store, PodStore.Found f) {
        Path records = PodNetRecords.owner(f.path());
        if (records.equals(f.path()) || !PodNetRecords.holdsAnything(records)) {
            // A pod from before host records is released by gc only, whose exclusive lock serialises it.
            return PodNetRecords.holdsAnything(records) ? "it was prepared by an older bosun; run bosun gc" : null;
        }
        PodState state = store.state(f);
        if (!EnumSet.of(PodState.EXITED, PodState.EXITED_GARBAGE, PodState.GARBAGE, PodState.ABORTED_PREPARE)
                .contains(state)) {
            return "it is " + state.label();
        }
        try (PodLock pod = PodLock.tryShared(f.path())) {
            if (pod == null) {
                return "another command holds it (gc or rm); try again";
            }
            try (PodLock held = holdings.lock(f.uuid())) {
                if (held == null) {
                    return "another command is releasing it; try again";
                }
                detachAndDelete(records, f.uuid());
                return null;
            }
        }
    }

    /** {@link #releaseStopped} for commands that only look (list, status): a failure is for gc to report. */
    void releaseIfStopped(PodStore store, PodStore.Found f) {
        try {
            String held = releaseStopped(store, f);
            if (held != null) {
                LOG.log(System.Logger.Level.DEBUG, () -> "pod " + f.uuid() + " keeps its network: " + held);
            }
        } catch (BosunException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "pod " + f.uuid() + " keeps its network until gc: " + e.getMessage());
        }
    }

    /**
     * Releases what pods whose directory is gone (removed by hand, with its data directory or
     * alone) still hold, from their host records: their networks, with the configuration they were
     * attached with, and their namespaces; then the records. A namespace in which a process still
     * lives is left alone and reported: its pod may be alive in a data directory out of reach.
     *
     * @param released the uuids released are added here
     * @param failures one line for each that could not be
     */
    void releaseOrphans(List<String> released, List<String> failures) {
        for (PodHoldings.Holding h : holdings.all(failures)) {
            if (podDirectoryOf(h) != null) {
                continue;
            }
            try {
                String held = releaseOrphan(h);
                if (held == null) {
                    released.add(h.uuid());
                } else {
                    failures.add(held);
                }
            } catch (BosunException e) {
                failures.add("pod " + h.uuid() + " (its directory in " + h.podsDir() + " is gone): " + e.getMessage());
            }
        }
    }

    /** Releases one orphan; null when done (or another command is at it), else why not. */
    String releaseOrphan(PodHoldings.Holding h) {
        try (PodLock lock = holdings.lock(h.uuid())) {
            if (lock == null) {
                return null; // being released by another command, or released already
            }
            Path records = holdings.dir(h.uuid());
            Path netns = PodNetworkNamespace.recorded(records);
            long pid = netns == null ? -1 : PodNetworkNamespace.processIn(netns);
            if (pid > 0) {
                return "pod " + h.uuid() + ": its directory in " + h.podsDir() + " is gone, but process " + pid
                        + " still lives in its network namespace " + netns + "; stop it (or make the data directory"
                        + " reachable again), then run bosun gc";
            }
            List<Path> cgroups = CgroupTree.podCgroups(h.uuid());
            Set<Long> pids = CgroupTree.allPids(cgroups);
            if (!pids.isEmpty()) {
                return "pod " + h.uuid() + ": its directory in " + h.podsDir() + " is gone, but process "
                        + pids.iterator().next() + " still lives in its cgroups " + cgroups + "; stop it (or make the"
                        + " data directory reachable again), then run bosun gc";
            }
            detachAndDelete(records, h.uuid());
            // The engine's cgroups of the pod: its stop or gc would have removed them, but neither can
            // run without the pod's directory.
            List<String> left = CgroupTree.remove(cgroups);
            if (!left.isEmpty()) {
                return "pod " + h.uuid() + ": cannot remove its cgroups: " + String.join("; ", left);
            }
            PodNetRecords.remove(records, ATTACHMENTS);
            PodNetRecords.removeDirIfEmpty(records);
            holdings.remove(h.uuid());
            return null;
        }
    }

    private PodStore.Found podDirectoryOf(PodHoldings.Holding h) {
        return locate(new PodStore(Path.of(h.podsDir())), h.uuid());
    }

    /**
     * The pod's directory now, or null when it is gone. Looked for in the order pods move through
     * the state directories, so a pod moving meanwhile is found in its next one.
     */
    static PodStore.Found locate(PodStore store, String uuid) {
        for (PodStore.Dir d : PodStore.Dir.values()) {
            Path dir = store.path(d, uuid);
            if (Files.isDirectory(dir)) {
                return new PodStore.Found(uuid, d, dir);
            }
        }
        return null;
    }

    /**
     * Releases what the stopped pod holds on the host, keeping the record of what it had (gc, when
     * it marks an exited pod). The caller holds the pod's lock.
     */
    void release(Path podDir, String uuid) {
        Path records = PodNetRecords.owner(podDir);
        if (PodNetRecords.holdsAnything(records)) {
            detachAndDelete(records, uuid);
        }
    }

    /** The networks through the provider, then the namespace: a {@code DEL} needs the interfaces in it. */
    private void detachAndDelete(Path records, String uuid) {
        detach(records, uuid);
        namespace.delete(records, uuid);
    }

    /** What the pod's networks gave it, as recorded at prepare time. */
    static List<NetworkAttachment> attachments(Path podDir) {
        try {
            return JSON.readValue(PodNetRecords.file(podDir, ATTACHMENTS).toFile(),
                    new TypeReference<List<NetworkAttachment>>() { });
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            return List.of(); // the pod is being collected, or moved while it was read
        }
    }

    private static List<Map.Entry<String, Map<String, String>>> asked(List<PodOptions.NetworkChoice> networks) {
        List<Map.Entry<String, Map<String, String>>> asked = new ArrayList<>();
        networks.forEach(n -> asked.add(Map.entry(n.name(), n.args())));
        return asked;
    }

    /** The provider is recorded before it is asked, so a killed prepare leaves gc something to detach. */
    private List<NetworkAttachment> attach(NetworkRequest request) {
        files.writeText(PodNetRecords.file(request.podDir(), PROVIDER_RECORD), PROVIDER + "\n");
        return services.withNetworkProvider(PROVIDER, p -> p.attach(request));
    }

    private void detach(Path records, String uuid) {
        String provider = PodNetRecords.readLine(records, PROVIDER_RECORD);
        if (provider == null) {
            return;
        }
        if (!services.hasNetworkProvider(provider)) {
            throw BosunException.unavailable("pod " + uuid + " is attached to networks through provider '"
                    + provider + "', which is not installed; install the CNI bundles and run bosun gc again");
        }
        services.withNetworkProvider(provider, p -> {
            p.detach(records);
            return null;
        });
        PodNetRecords.remove(records, PROVIDER_RECORD);
    }

    private void writeAttachments(Path records, List<NetworkAttachment> attached) {
        try {
            files.writeText(PodNetRecords.file(records, ATTACHMENTS), JSON.writeValueAsString(attached) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw BosunException.internal("cannot record the networks of pod " + records.getFileName(), e);
        }
    }
}
