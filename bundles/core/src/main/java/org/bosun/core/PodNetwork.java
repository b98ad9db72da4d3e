package org.bosun.core;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.net.NetworkRequest;
import org.bosun.api.pod.PodOptions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A pod's network, set up at prepare time and torn down at gc, in this order: its namespace
 * ({@link PodNetworkNamespace}), its networks through the provider, its {@code etc/} files
 * ({@link PodEtcFiles}); torn down provider first, since its {@code DEL}s need the interfaces in
 * the namespace. Besides the namespace, {@code <pod>/net/} records:
 * <ul>
 * <li>{@code net/provider}: the network provider ({@code cni}) asked to attach the pod's networks,
 * recorded before it is asked, so gc detaches through whichever version of it is installed then
 * (the provider keeps everything its {@code DEL}s need in the pod directory).</li>
 * <li>{@code net/attachments.json}: what each network gave the pod (interface, address, gateway,
 * DNS), for {@code bosun status}.</li>
 * </ul>
 * {@code --net=host} shares the caller's namespace (no netns, nothing to detach); {@code --net=none}
 * is a namespace with only {@code lo}, up; every other network goes through the provider.
 */
final class PodNetwork {
    static final String HOST = "host";
    static final String NONE = "none";
    static final String DEFAULT = "default";
    /** The provider every network but host and none goes through. */
    static final String PROVIDER = "cni";
    static final String PROVIDER_RECORD = "provider";
    static final String ATTACHMENTS = "attachments.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ServiceLookup services;
    private final PodFiles files;
    private final PodNetworkNamespace namespace;
    private final PodEtcFiles etcFiles;

    PodNetwork(ServiceLookup services, PodFiles files) {
        this.services = services;
        this.files = files;
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
     * before the error is thrown.
     */
    void setUp(RuntimePaths paths, String uuid, Path podDir, PodOptions options, boolean privateNetwork,
            List<ImageManifest.Port> imagePorts, String hostname) {
        List<PodOptions.NetworkChoice> networks = networks(options, privateNetwork);
        List<NetworkRequest.PortMapping> ports = PodPortMappings.of(options.ports(), imagePorts);
        try {
            List<NetworkAttachment> attached = List.of();
            if (!isHost(networks)) {
                Path netns = namespace.create(podDir, uuid, isNone(networks));
                if (!isNone(networks)) {
                    attached = attach(new NetworkRequest(paths, uuid, podDir, netns, asked(networks), ports));
                }
                writeAttachments(podDir, attached);
            }
            etcFiles.write(podDir, options, hostname, isHost(networks), attached);
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

    /**
     * Detaches the pod's networks through the provider that attached them, then removes its
     * namespace. Safe to call again, also after a partial set-up or a failed tear-down.
     */
    void tearDown(Path podDir, String uuid) {
        detach(podDir, uuid);
        namespace.delete(podDir, uuid);
        PodNetRecords.remove(podDir, ATTACHMENTS);
        PodNetRecords.removeDirIfEmpty(podDir);
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

    private void detach(Path podDir, String uuid) {
        String provider = PodNetRecords.readLine(podDir, PROVIDER_RECORD);
        if (provider == null) {
            return;
        }
        if (!services.hasNetworkProvider(provider)) {
            throw BosunException.unavailable("pod " + uuid + " is attached to networks through provider '"
                    + provider + "', which is not installed; install the CNI bundles and run bosun gc again");
        }
        services.withNetworkProvider(provider, p -> {
            p.detach(podDir);
            return null;
        });
        PodNetRecords.remove(podDir, PROVIDER_RECORD);
    }

    private void writeAttachments(Path podDir, List<NetworkAttachment> attached) {
        try {
            files.writeText(PodNetRecords.file(podDir, ATTACHMENTS), JSON.writeValueAsString(attached) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw BosunException.internal("cannot record the networks of pod " + podDir.getFileName(), e);
        }
    }
}
