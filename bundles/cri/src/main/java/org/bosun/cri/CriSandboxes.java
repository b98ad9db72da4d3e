package org.bosun.cri;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppService;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodLaunch;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.bosun.api.pod.PrepareRequest;
import org.bosun.cri.v1.DNSConfig;
import org.bosun.cri.v1.LinuxPodSandboxStatus;
import org.bosun.cri.v1.LinuxSandboxSecurityContext;
import org.bosun.cri.v1.Namespace;
import org.bosun.cri.v1.NamespaceMode;
import org.bosun.cri.v1.NamespaceOption;
import org.bosun.cri.v1.PodSandbox;
import org.bosun.cri.v1.PodSandboxConfig;
import org.bosun.cri.v1.PodSandboxFilter;
import org.bosun.cri.v1.PodSandboxMetadata;
import org.bosun.cri.v1.PodSandboxNetworkStatus;
import org.bosun.cri.v1.PodSandboxState;
import org.bosun.cri.v1.PodSandboxStatus;
import org.bosun.cri.v1.PortMapping;
import org.bosun.cri.v1.Protocol;

/**
 * CRI pod sandboxes as bosun sandboxes (app-level operations): the sandbox id is the pod's UUID, and
 * what the CRI says of it (metadata, log directory, runtime handler) is kept in the pod's manifest
 * annotations, its labels and annotations as the pod's user labels and annotations. Only pods made
 * here (those with the metadata annotations) are CRI sandboxes; other pods of the data directory are
 * not listed.
 */
final class CriSandboxes {
    static final String NAME = "bosun.org/cri-name";
    static final String UID = "bosun.org/cri-uid";
    static final String NAMESPACE = "bosun.org/cri-namespace";
    static final String ATTEMPT = "bosun.org/cri-attempt";
    static final String LOG_DIRECTORY = "bosun.org/cri-log-directory";
    static final String HANDLER = "bosun.org/cri-runtime-handler";
    /**
     * Whether the sandbox's containers share one PID namespace ({@value #PID_POD}), each has its own
     * ({@value #PID_CONTAINER}, also a sandbox made before this annotation) or all are in the host's
     * ({@value #PID_NODE}).
     */
    static final String PID_NAMESPACE = "bosun.org/cri-pid-namespace";
    /** "true" on a sandbox made privileged: only its containers may be privileged. */
    static final String PRIVILEGED = "bosun.org/cri-privileged";
    static final String PID_POD = "pod";
    static final String PID_CONTAINER = "container";
    static final String PID_NODE = "node";
    /** {@value #NODE} when the sandbox is in the host's IPC namespace; absent when it has its own. */
    static final String IPC_NAMESPACE = "bosun.org/cri-ipc-namespace";
    static final String NODE = "node";
    /** The oci engine's option of its apps' PID namespaces ({@code pid=app|pod|host}). */
    static final String PID_OPTION = "pid";
    /** The oci engine's value of that option for the host's PID namespace. */
    static final String PID_HOST = "host";
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final PodService pods;
    private final AppService apps;
    private final RuntimePaths paths;
    private final CriHandlers handlers;
    private final CriNetwork network;
    /** Sandbox names being created: a second RunPodSandbox of the same name waits for no prepare. */
    private final Set<String> reserving = ConcurrentHashMap.newKeySet();

    CriSandboxes(PodService pods, AppService apps, RuntimePaths paths, CriHandlers handlers, CriNetwork network) {
        this.network = network;
        this.pods = pods;
        this.apps = apps;
        this.paths = paths;
        this.handlers = handlers;
    }

    String run(PodSandboxConfig config, String runtimeHandler) {
        PodSandboxMetadata meta = config.getMetadata();
        if (meta.getName().isEmpty() || meta.getNamespace().isEmpty() || meta.getUid().isEmpty()) {
            throw BosunException.invalid("the sandbox's metadata needs a name, a namespace and a uid");
        }
        CriHandlers.Engine engine = handlers.engine(runtimeHandler);
        PodOptions options = options(config, engine, network);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(NAME, meta.getName());
        annotations.put(UID, meta.getUid());
        annotations.put(NAMESPACE, meta.getNamespace());
        annotations.put(ATTEMPT, Integer.toUnsignedString(meta.getAttempt()));
        annotations.put(HANDLER, engine.handler());
        annotations.put(PID_NAMESPACE, hostPid(config) ? PID_NODE : sharesPid(config) ? PID_POD : PID_CONTAINER);
        if (config.getLinux().getSecurityContext().getPrivileged()) {
            annotations.put(PRIVILEGED, "true");
        }
        if (config.hasLinux() && hostIpc(config)) {
            annotations.put(IPC_NAMESPACE, NODE);
        }
        if (!config.getLogDirectory().isEmpty()) {
            annotations.put(LOG_DIRECTORY, config.getLogDirectory());
        }
        PrepareRequest request = new PrepareRequest(List.of(), engine.stage1(), Set.of(), annotations, options,
                config.getAnnotationsMap(), config.getLabelsMap());
        String key = key(meta);
        if (!reserving.add(key)) {
            throw conflict(meta, "is being created");
        }
        try {
            for (PodInfo pod : sandboxes()) {
                if (key.equals(key(metadata(pod)))) {
                    throw conflict(meta, "is reserved by sandbox " + pod.uuid());
                }
            }
            PodLaunch launch = apps.sandbox(paths, request, prepared -> { });
            try {
                pods.startDetached(launch);
            } catch (RuntimeException e) {
                try {
                    pods.remove(paths, launch.uuid());
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
                throw e;
            }
            return launch.uuid();
        } finally {
            reserving.remove(key);
        }
    }

    private static BosunException conflict(PodSandboxMetadata meta, String why) {
        return new BosunException(ErrorKind.ALREADY_EXISTS, "the sandbox name " + key(meta) + " " + why
                + "; remove that sandbox first or use another attempt");
    }

    /** As containerd reserves a sandbox's name until it is removed: name, namespace, uid and attempt. */
    private static String key(PodSandboxMetadata meta) {
        return meta.getName() + "_" + meta.getNamespace() + "_" + meta.getUid() + "_" + meta.getAttempt();
    }

    /** The pod options of a sandbox; its network is the one {@code network} chooses. */
    static PodOptions options(PodSandboxConfig config, CriHandlers.Engine engine, CriNetwork network) {
        if (config.hasLinux()) {
            refuseUnsupported(config.getLinux().getSecurityContext());
            if (config.getLinux().getSecurityContext().getPrivileged() && !engine.stage1().equals("oci")) {
                throw BosunException.notImplemented("privileged sandboxes are supported on the oci engine only"
                        + " (handler runc or crun): the " + engine.stage1() + " engine cannot give one app the"
                        + " host's devices");
            }
            if (hostPid(config) && !engine.stage1().equals("oci")) {
                throw BosunException.notImplemented("runtime handler " + engine.handler() + " (stage1 engine "
                        + engine.stage1() + ") cannot run a sandbox in the host's PID namespace (pid NODE): its pod's"
                        + " init has a PID namespace of its own; use the runc or crun handler");
            }
        }
        List<PodOptions.PortForward> ports = new ArrayList<>();
        for (PortMapping p : config.getPortMappingsList()) {
            if (p.getHostPort() == 0) {
                continue; // a container port without a host port is only informative
            }
            if (p.getProtocol() == Protocol.SCTP) {
                throw BosunException.notImplemented("SCTP port mappings are not supported; map TCP or UDP ports");
            }
            if (p.getContainerPort() <= 0 || p.getContainerPort() > 65535 || p.getHostPort() < 0
                    || p.getHostPort() > 65535) {
                throw BosunException.invalid("port mapping " + p.getContainerPort() + " -> " + p.getHostPort()
                        + " is out of range (1-65535)");
            }
            ports.add(new PodOptions.PortForward(null, p.getProtocol() == Protocol.UDP ? "udp" : "tcp",
                    p.getContainerPort(), p.getHostIp().isEmpty() ? null : p.getHostIp(), p.getHostPort()));
        }
        PodOptions.DnsSettings dns = PodOptions.DnsSettings.DEFAULT;
        if (config.hasDnsConfig() && !DNSConfig.getDefaultInstance().equals(config.getDnsConfig())) {
            DNSConfig d = config.getDnsConfig();
            dns = new PodOptions.DnsSettings(d.getServersCount() > 0 ? "explicit" : "default", d.getServersList(),
                    d.getSearchesList(), d.getOptionsList(), null);
        }
        boolean hostNetwork = config.hasLinux() && config.getLinux().getSecurityContext().getNamespaceOptions()
                .getNetwork() == NamespaceMode.NODE;
        List<PodOptions.NetworkChoice> networks = List.of(new PodOptions.NetworkChoice(network.choose(hostNetwork), null));
        Map<String, String> engineOptions = new LinkedHashMap<>(engine.options());
        if (hostPid(config)) {
            engineOptions.put(PID_OPTION, PID_HOST); // the oci engine's, the only one that gets here
        } else if (sharesPid(config) && engine.stage1().equals("oci")) {
            // the oci engine's apps each have a PID namespace unless told; nspawn's share the pod's systemd's
            engineOptions.put(PID_OPTION, "pod");
        }
        // ipc NODE: the host's IPC namespace (--ipc=parent), which every isolating engine gives
        return new PodOptions(config.getHostname().isEmpty() ? null : config.getHostname(), networks, ports, dns,
                null, null, null, null, false, config.hasLinux() && privateUsers(config.getLinux().getSecurityContext()),
                false, "never", engineOptions, hostIpc(config) ? PodOptions.IPC_PARENT : PodOptions.IPC_PRIVATE,
                // checked by the core: namespaced ones only, none of a namespace shared with the host
                new java.util.TreeMap<>(config.getLinux().getSysctlsMap()));
    }

    /** Whether the sandbox and its containers are in the host's PID namespace (pid NODE). */
    static boolean hostPid(PodSandboxConfig config) {
        return config.getLinux().getSecurityContext().getNamespaceOptions().getPid() == NamespaceMode.NODE;
    }

    /** Whether the sandbox's containers are in the host's IPC namespace (ipc NODE). */
    static boolean hostIpc(PodSandboxConfig config) {
        return config.getLinux().getSecurityContext().getNamespaceOptions().getIpc() == NamespaceMode.NODE;
    }

    /**
     * Whether the sandbox's containers share one PID namespace: pid POD in namespace options that are
     * given (kubelet always gives them: CONTAINER, or POD for shareProcessNamespace; critest leaves
     * POD, the enum's zero, in those it gives). Options not given get bosun's own, one per container.
     */
    static boolean sharesPid(PodSandboxConfig config) {
        LinuxSandboxSecurityContext security = config.getLinux().getSecurityContext();
        return security.hasNamespaceOptions() && security.getNamespaceOptions().getPid() == NamespaceMode.POD;
    }

    /** Whether {@code sandbox} runs on the oci engine (handler runc or crun), where its containers' PID namespaces are chosen. */
    static boolean isOci(PodInfo sandbox) {
        String handler = sandbox.annotations().getOrDefault(HANDLER, "");
        return handler.equals("runc") || handler.equals("crun");
    }

    /** Whether {@code sandbox} was made privileged, so that its containers may be. */
    static boolean isPrivileged(PodInfo sandbox) {
        return "true".equals(sandbox.annotations().get(PRIVILEGED));
    }

    /** Whether the containers of {@code sandbox} share one PID namespace, as it was made. */
    static boolean sharesPid(PodInfo sandbox) {
        return PID_POD.equals(sandbox.annotations().get(PID_NAMESPACE));
    }

    /** Whether the containers of {@code sandbox} are in the host's PID namespace, as it was made. */
    static boolean hostPid(PodInfo sandbox) {
        return PID_NODE.equals(sandbox.annotations().get(PID_NAMESPACE));
    }

    /**
     * Whether the sandbox has a user namespace of its own (userns_options mode POD): bosun's
     * {@code app sandbox --private-users}, whose 65536 host ids the userns module chooses. Mappings
     * given with it cannot be honoured (the module allocates its own ranges) and are refused.
     */
    static boolean privateUsers(LinuxSandboxSecurityContext security) {
        NamespaceOption ns = security.getNamespaceOptions();
        if (!ns.hasUsernsOptions() || ns.getUsernsOptions().getMode() == NamespaceMode.NODE) {
            return false;
        }
        org.bosun.cri.v1.UserNamespace userns = ns.getUsernsOptions();
        if (userns.getMode() != NamespaceMode.POD) {
            throw BosunException.invalid("a sandbox's user namespace is NODE or POD, not " + userns.getMode());
        }
        if (userns.getUidsCount() > 0 || userns.getGidsCount() > 0) {
            throw BosunException.notImplemented("bosun chooses the host ids of a sandbox's user namespace itself (65536"
                    + " ids from its userns module's ranges) and cannot take the given uids/gids mappings; give"
                    + " userns_options mode POD without mappings");
        }
        return true;
    }

    static void refuseUnsupported(LinuxSandboxSecurityContext security) {
        NamespaceOption ns = security.getNamespaceOptions();
        if (ns.getIpc() == NamespaceMode.TARGET) {
            throw BosunException.invalid("a sandbox's IPC namespace cannot be TARGET (a container's PID option)");
        }
        if (ns.getPid() == NamespaceMode.TARGET) {
            throw BosunException.invalid("a sandbox's PID namespace cannot be TARGET (a container's option)");
        }
        privateUsers(security);
    }

    void stop(String id) {
        PodInfo pod = find(id);
        if (pod.state() != PodState.RUNNING) {
            return; // stopping a stopped sandbox succeeds, as the CRI asks
        }
        pods.stop(paths, pod.uuid(), false);
        if (!awaitNotRunning(pod.uuid(), STOP_GRACE)) {
            pods.stop(paths, pod.uuid(), true);
        }
    }

    private boolean awaitNotRunning(String uuid, Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline) {
            if (pods.status(paths, uuid).state() != PodState.RUNNING) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("stopping sandbox " + uuid + " was cancelled");
            }
        }
        return false;
    }

    /** Removing a sandbox that is not there succeeds; a running one is stopped first, as the CRI asks. */
    void remove(String id) {
        PodInfo pod;
        try {
            pod = find(id);
        } catch (BosunException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return;
            }
            throw e;
        }
        if (pod.state() == PodState.RUNNING) {
            stop(id);
        }
        pods.remove(paths, pod.uuid());
    }

    PodInfo find(String id) {
        if (id.isEmpty()) {
            throw BosunException.invalid("the request names no pod sandbox (pod_sandbox_id is empty)");
        }
        PodInfo pod = podOrNull(id);
        if (pod == null) {
            throw BosunException.notFound("no pod sandbox " + id);
        }
        if (!isSandbox(pod, id)) {
            throw BosunException.notFound("no pod sandbox " + id + " (a pod of that id was not made through the CRI)");
        }
        return pod;
    }

    /** The pod of {@code id}, sandbox or not, or null when there is none (any more). */
    PodInfo podOrNull(String id) {
        try {
            return pods.status(paths, id);
        } catch (BosunException e) {
            if (e.kind() == ErrorKind.NOT_FOUND || e.kind() == ErrorKind.INVALID_ARGUMENT) {
                return null;
            }
            throw e;
        }
    }

    /** Whether {@code pod}, found by {@code id}, is a sandbox made through the CRI (a whole UUID, not a prefix). */
    static boolean isSandbox(PodInfo pod, String id) {
        return pod.annotations().containsKey(NAME) && pod.uuid().equals(id);
    }

    List<PodInfo> sandboxes() {
        List<PodInfo> found = new ArrayList<>();
        for (PodInfo pod : pods.list(paths)) {
            if (pod.annotations().containsKey(NAME) && pod.state() != PodState.GARBAGE
                    && pod.state() != PodState.EXITED_GARBAGE) {
                found.add(pod);
            }
        }
        return found;
    }

    List<PodSandbox> list(PodSandboxFilter filter) {
        List<PodSandbox> list = new ArrayList<>();
        for (PodInfo pod : sandboxes()) {
            PodSandbox s = PodSandbox.newBuilder().setId(pod.uuid()).setMetadata(metadata(pod)).setState(state(pod))
                    .setCreatedAt(CriImageService.nanos(pod.created())).putAllLabels(pod.userLabels())
                    .putAllAnnotations(pod.userAnnotations())
                    .setRuntimeHandler(pod.annotations().getOrDefault(HANDLER, "")).build();
            if (!filter.getId().isEmpty() && !s.getId().equals(filter.getId())) {
                continue;
            }
            if (filter.hasState() && filter.getState().getState() != s.getState()) {
                continue;
            }
            if (!CriContainers.selects(filter.getLabelSelectorMap(), s.getLabelsMap())) {
                continue;
            }
            list.add(s);
        }
        return list;
    }

    PodSandboxStatus status(PodInfo pod) {
        PodSandboxStatus.Builder status = PodSandboxStatus.newBuilder().setId(pod.uuid()).setMetadata(metadata(pod))
                .setState(state(pod)).setCreatedAt(CriImageService.nanos(pod.created()))
                .putAllLabels(pod.userLabels()).putAllAnnotations(pod.userAnnotations())
                .setRuntimeHandler(pod.annotations().getOrDefault(HANDLER, ""));
        String ip = ip(pod);
        if (pod.state() == PodState.RUNNING && ip != null) {
            status.setNetwork(PodSandboxNetworkStatus.newBuilder().setIp(ip));
        }
        // A sandbox in the host's network has no network attachment of its own.
        boolean host = pod.networks().isEmpty();
        status.setLinux(LinuxPodSandboxStatus.newBuilder().setNamespaces(Namespace.newBuilder()
                .setOptions(NamespaceOption.newBuilder().setNetwork(host ? NamespaceMode.NODE : NamespaceMode.POD)
                        .setPid(hostPid(pod) ? NamespaceMode.NODE
                                : sharesPid(pod) || !isOci(pod) ? NamespaceMode.POD : NamespaceMode.CONTAINER)
                        .setIpc(NODE.equals(pod.annotations().get(IPC_NAMESPACE)) ? NamespaceMode.NODE
                                : NamespaceMode.POD))));
        return status.build();
    }

    /** What the verbose status adds: bosun's own view of the pod, one JSON string per key. */
    Map<String, String> info(PodInfo pod) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("info", "{\"uuid\":" + CriJson.quote(pod.uuid()) + ",\"state\":" + CriJson.quote(pod.state().label())
                + ",\"pid\":" + pod.pid() + ",\"stage1\":" + CriJson.quote(pod.stage1() == null ? ""
                        : pod.stage1().name()) + ",\"directory\":" + CriJson.quote(String.valueOf(pod.directory()))
                + ",\"started\":" + CriJson.quote(pod.started() == null ? "" : pod.started().toString())
                + ",\"networks\":" + CriJson.networks(pod.networks()) + "}");
        return info;
    }

    static String ip(PodInfo pod) {
        for (NetworkAttachment a : pod.networks()) {
            if (a.address() != null && !a.address().isEmpty()) {
                int slash = a.address().indexOf('/');
                return slash < 0 ? a.address() : a.address().substring(0, slash);
            }
        }
        return null;
    }

    static PodSandboxMetadata metadata(PodInfo pod) {
        Map<String, String> a = pod.annotations();
        int attempt;
        try {
            attempt = Integer.parseUnsignedInt(a.getOrDefault(ATTEMPT, "0"));
        } catch (NumberFormatException e) {
            attempt = 0;
        }
        return PodSandboxMetadata.newBuilder().setName(a.getOrDefault(NAME, "")).setUid(a.getOrDefault(UID, ""))
                .setNamespace(a.getOrDefault(NAMESPACE, "")).setAttempt(attempt).build();
    }

    static PodSandboxState state(PodInfo pod) {
        return pod.state() == PodState.RUNNING ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY;
    }

}
