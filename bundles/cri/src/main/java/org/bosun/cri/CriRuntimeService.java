package org.bosun.cri;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.RuntimePaths;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.provider.ProviderStatus;
import org.bosun.cri.v1.AttachRequest;
import org.bosun.cri.v1.AttachResponse;
import org.bosun.cri.v1.CgroupDriver;
import org.bosun.cri.v1.ContainerEventResponse;
import org.bosun.cri.v1.ExecRequest;
import org.bosun.cri.v1.ExecResponse;
import org.bosun.cri.v1.GetEventsRequest;
import org.bosun.cri.v1.LinuxRuntimeConfiguration;
import org.bosun.cri.v1.PortForwardRequest;
import org.bosun.cri.v1.PortForwardResponse;
import org.bosun.cri.v1.RuntimeCondition;
import org.bosun.cri.v1.RuntimeConfigRequest;
import org.bosun.cri.v1.RuntimeConfigResponse;
import org.bosun.cri.v1.RuntimeServiceGrpc;
import org.bosun.cri.v1.RuntimeStatus;
import org.bosun.cri.v1.StatusRequest;
import org.bosun.cri.v1.StatusResponse;
import org.bosun.cri.v1.VersionRequest;
import org.bosun.cri.v1.VersionResponse;

import org.bosun.api.BosunException;
import org.bosun.api.pod.PodInfo;
import org.bosun.cri.v1.ContainerStatus;
import org.bosun.cri.v1.ContainerStatusRequest;
import org.bosun.cri.v1.ContainerStatusResponse;
import org.bosun.cri.v1.CreateContainerRequest;
import org.bosun.cri.v1.CreateContainerResponse;
import org.bosun.cri.v1.ExecSyncRequest;
import org.bosun.cri.v1.ExecSyncResponse;
import org.bosun.cri.v1.ListContainersRequest;
import org.bosun.cri.v1.ListContainersResponse;
import org.bosun.cri.v1.ListPodSandboxRequest;
import org.bosun.cri.v1.ListPodSandboxResponse;
import org.bosun.cri.v1.PodSandboxStatusRequest;
import org.bosun.cri.v1.PodSandboxStatusResponse;
import org.bosun.cri.v1.RemoveContainerRequest;
import org.bosun.cri.v1.RemoveContainerResponse;
import org.bosun.cri.v1.RemovePodSandboxRequest;
import org.bosun.cri.v1.RemovePodSandboxResponse;
import org.bosun.cri.v1.ReopenContainerLogRequest;
import org.bosun.cri.v1.ReopenContainerLogResponse;
import org.bosun.cri.v1.RunPodSandboxRequest;
import org.bosun.cri.v1.RunPodSandboxResponse;
import org.bosun.cri.v1.StartContainerRequest;
import org.bosun.cri.v1.StartContainerResponse;
import org.bosun.cri.v1.StopContainerRequest;
import org.bosun.cri.v1.StopContainerResponse;
import org.bosun.cri.v1.StopPodSandboxRequest;
import org.bosun.cri.v1.StopPodSandboxResponse;
import org.bosun.cri.v1.UpdateContainerResourcesRequest;
import org.bosun.cri.v1.ContainerResources;
import org.bosun.cri.v1.ContainerStatsRequest;
import org.bosun.cri.v1.ContainerStatsResponse;
import org.bosun.cri.v1.LinuxContainerResources;
import org.bosun.cri.v1.ListContainerStatsRequest;
import org.bosun.cri.v1.ListContainerStatsResponse;
import org.bosun.cri.v1.ListPodSandboxStatsRequest;
import org.bosun.cri.v1.ListPodSandboxStatsResponse;
import org.bosun.cri.v1.PodSandboxStatsRequest;
import org.bosun.cri.v1.PodSandboxStatsResponse;
import org.bosun.cri.v1.UpdateContainerResourcesResponse;
import org.bosun.grpc.GrpcErrors;

import io.grpc.stub.StreamObserver;

/**
 * The CRI RuntimeService: what the runtime is and whether it can work, and pod sandboxes and their
 * containers on bosun's app-level operations ({@link CriSandboxes}, {@link CriContainers}). The RPCs
 * this class does not override answer UNIMPLEMENTED (grpc's base class: "Method
 * runtime.v1.RuntimeService/X is unimplemented"): metrics descriptors, checkpoints and runtime
 * configuration updates are not served yet. Statistics and resource updates are {@link CriStats}'s,
 * container events {@link CriContainerEvents}'s.
 */
final class CriRuntimeService extends RuntimeServiceGrpc.RuntimeServiceImplBase {
    /** The CRI's own version field, which kubelet logs; "0.1.0" for every runtime that speaks v1. */
    static final String KUBELET_API_VERSION = "0.1.0";
    static final String RUNTIME_NAME = "bosun";
    static final String RUNTIME_API_VERSION = "v1";
    static final String RUNTIME_READY = "RuntimeReady";
    static final String NETWORK_READY = "NetworkReady";
    /** The network provider a sandbox's networks go through (as the core's PodNetwork). */
    static final String CNI = "cni";

    private final ProviderRegistry providers;
    private final RuntimePaths paths;
    private final String version;
    private final CriSandboxes sandboxes;
    private final CriContainers containers;
    private final CriStreaming streaming;
    private final CriContainerEvents events;
    private final CriStats stats;

    CriRuntimeService(ProviderRegistry providers, RuntimePaths paths, String version, CriSandboxes sandboxes,
            CriContainers containers, CriStreaming streaming, CriContainerEvents events, CriStats stats) {
        this.stats = stats;
        this.providers = providers;
        this.paths = paths;
        this.version = version;
        this.sandboxes = sandboxes;
        this.containers = containers;
        this.streaming = streaming;
        this.events = events;
    }

    @Override
    public void getContainerEvents(GetEventsRequest request, StreamObserver<ContainerEventResponse> response) {
        events.stream(response);
    }

    @Override
    public void runPodSandbox(RunPodSandboxRequest request, StreamObserver<RunPodSandboxResponse> response) {
        GrpcErrors.answer(response, () -> RunPodSandboxResponse.newBuilder()
                .setPodSandboxId(sandboxes.run(request.getConfig(), request.getRuntimeHandler())).build());
    }

    @Override
    public void stopPodSandbox(StopPodSandboxRequest request, StreamObserver<StopPodSandboxResponse> response) {
        GrpcErrors.answer(response, () -> {
            sandboxes.stop(request.getPodSandboxId());
            return StopPodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void removePodSandbox(RemovePodSandboxRequest request, StreamObserver<RemovePodSandboxResponse> response) {
        GrpcErrors.answer(response, () -> {
            sandboxes.remove(request.getPodSandboxId());
            return RemovePodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void podSandboxStatus(PodSandboxStatusRequest request, StreamObserver<PodSandboxStatusResponse> response) {
        GrpcErrors.answer(response, () -> {
            PodInfo pod = sandboxes.find(request.getPodSandboxId());
            PodSandboxStatusResponse.Builder status = PodSandboxStatusResponse.newBuilder()
                    .setStatus(sandboxes.status(pod)).setTimestamp(CriImageService.nanos(java.time.Instant.now()));
            if (request.getVerbose()) {
                status.putAllInfo(sandboxes.info(pod));
                status.addAllContainersStatuses(containers.statuses(pod));
            }
            return status.build();
        });
    }

    @Override
    public void listPodSandbox(ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> response) {
        GrpcErrors.answer(response, () -> ListPodSandboxResponse.newBuilder()
                .addAllItems(sandboxes.list(request.getFilter())).build());
    }

    @Override
    public void createContainer(CreateContainerRequest request, StreamObserver<CreateContainerResponse> response) {
        GrpcErrors.answer(response, () -> CreateContainerResponse.newBuilder()
                .setContainerId(containers.create(request.getPodSandboxId(), request.getConfig())).build());
    }

    @Override
    public void startContainer(StartContainerRequest request, StreamObserver<StartContainerResponse> response) {
        GrpcErrors.answer(response, () -> {
            containers.start(request.getContainerId());
            return StartContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void stopContainer(StopContainerRequest request, StreamObserver<StopContainerResponse> response) {
        GrpcErrors.answer(response, () -> {
            containers.stop(request.getContainerId(), request.getTimeout());
            return StopContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void removeContainer(RemoveContainerRequest request, StreamObserver<RemoveContainerResponse> response) {
        GrpcErrors.answer(response, () -> {
            containers.remove(request.getContainerId());
            return RemoveContainerResponse.getDefaultInstance();
        });
    }

    @Override
    public void listContainers(ListContainersRequest request, StreamObserver<ListContainersResponse> response) {
        GrpcErrors.answer(response, () -> ListContainersResponse.newBuilder()
                .addAllContainers(containers.list(request.getFilter())).build());
    }

    @Override
    public void containerStatus(ContainerStatusRequest request, StreamObserver<ContainerStatusResponse> response) {
        GrpcErrors.answer(response, () -> {
            ContainerStatus status = containers.status(request.getContainerId());
            LinuxContainerResources updated = stats.resources(request.getContainerId());
            if (updated != null) {
                status = status.toBuilder().setResources(ContainerResources.newBuilder().setLinux(updated)).build();
            }
            ContainerStatusResponse.Builder answer = ContainerStatusResponse.newBuilder().setStatus(status);
            if (request.getVerbose()) {
                answer.putInfo("info", containers.verboseInfo(status));
            }
            return answer.build();
        });
    }

    @Override
    public void execSync(ExecSyncRequest request, StreamObserver<ExecSyncResponse> response) {
        GrpcErrors.answer(response, () -> containers.execSync(request.getContainerId(), request.getCmdList(),
                request.getTimeout()));
    }

    @Override
    public void updateContainerResources(UpdateContainerResourcesRequest request,
            StreamObserver<UpdateContainerResourcesResponse> response) {
        GrpcErrors.answer(response, () -> {
            stats.update(request.getContainerId(), request.getLinux());
            return UpdateContainerResourcesResponse.getDefaultInstance();
        });
    }

    @Override
    public void reopenContainerLog(ReopenContainerLogRequest request,
            StreamObserver<ReopenContainerLogResponse> response) {
        GrpcErrors.answer(response, () -> {
            containers.reopenLog(request.getContainerId());
            return ReopenContainerLogResponse.getDefaultInstance();
        });
    }

    @Override
    public void version(VersionRequest request, StreamObserver<VersionResponse> response) {
        response.onNext(VersionResponse.newBuilder().setVersion(KUBELET_API_VERSION).setRuntimeName(RUNTIME_NAME)
                .setRuntimeVersion(version).setRuntimeApiVersion(RUNTIME_API_VERSION).build());
        response.onCompleted();
    }

    /**
     * RuntimeReady while at least one isolating engine is active (fly isolates nothing and cannot
     * hold a sandbox); NetworkReady while the CNI provider is. A false condition carries a CamelCase
     * reason and the providers' own one-line reasons, as kubelet shows them in the node's status.
     */
    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        List<ProviderStatus> all = providers.status(paths);
        List<String> notReady = new ArrayList<>();
        boolean engine = false;
        boolean network = false;
        for (ProviderStatus s : all) {
            if (s.kind() == ProviderKind.ENGINE && !"fly".equals(s.name())) {
                engine |= s.isActive();
                if (!s.isActive()) {
                    notReady.add("engine " + s.name() + " " + s.describe());
                }
            } else if (s.kind() == ProviderKind.NETWORK && CNI.equals(s.name())) {
                network |= s.isActive();
            }
        }
        RuntimeCondition runtime = engine ? ready(RUNTIME_READY)
                : notReady(RUNTIME_READY, "NoIsolatingEngine", notReady.isEmpty()
                        ? "no isolating stage1 engine (nspawn, oci) is installed"
                        : "no isolating stage1 engine is active: " + String.join("; ", notReady));
        RuntimeCondition net = network ? ready(NETWORK_READY)
                : notReady(NETWORK_READY, "NetworkPluginNotReady", describe(all, ProviderKind.NETWORK, CNI));
        response.onNext(StatusResponse.newBuilder()
                .setStatus(RuntimeStatus.newBuilder().addConditions(runtime).addConditions(net)).build());
        response.onCompleted();
    }

    /** bosun writes cgroups itself below the caller's (cgroupfs); it never asks systemd for them. */
    @Override
    public void runtimeConfig(RuntimeConfigRequest request, StreamObserver<RuntimeConfigResponse> response) {
        response.onNext(RuntimeConfigResponse.newBuilder()
                .setLinux(LinuxRuntimeConfiguration.newBuilder().setCgroupDriver(CgroupDriver.CGROUPFS)).build());
        response.onCompleted();
    }

    private static String describe(List<ProviderStatus> all, ProviderKind<?> kind, String name) {
        for (ProviderStatus s : all) {
            if (s.kind() == kind && name.equals(s.name())) {
                return "the " + name + " network provider is " + s.describe();
            }
        }
        return "no " + name + " network provider is installed";
    }

    private static RuntimeCondition ready(String type) {
        return RuntimeCondition.newBuilder().setType(type).setStatus(true).build();
    }

    private static RuntimeCondition notReady(String type, String reason, String message) {
        return RuntimeCondition.newBuilder().setType(type).setStatus(false).setReason(reason).setMessage(message).build();
    }

    @Override
    public void exec(ExecRequest request, StreamObserver<ExecResponse> response) {
        GrpcErrors.answer(response, () -> streaming.exec(request));
    }

    @Override
    public void attach(AttachRequest request, StreamObserver<AttachResponse> response) {
        GrpcErrors.answer(response, () -> streaming.attach(request));
    }

    @Override
    public void portForward(PortForwardRequest request, StreamObserver<PortForwardResponse> response) {
        GrpcErrors.answer(response, () -> streaming.portForward(request));
    }

    @Override
    public void containerStats(ContainerStatsRequest request, StreamObserver<ContainerStatsResponse> response) {
        GrpcErrors.answer(response, () -> ContainerStatsResponse.newBuilder()
                .setStats(stats.container(request.getContainerId())).build());
    }

    @Override
    public void listContainerStats(ListContainerStatsRequest request,
            StreamObserver<ListContainerStatsResponse> response) {
        GrpcErrors.answer(response, () -> ListContainerStatsResponse.newBuilder()
                .addAllStats(stats.containers(request.getFilter())).build());
    }

    @Override
    public void podSandboxStats(PodSandboxStatsRequest request, StreamObserver<PodSandboxStatsResponse> response) {
        GrpcErrors.answer(response, () -> PodSandboxStatsResponse.newBuilder()
                .setStats(stats.sandbox(request.getPodSandboxId())).build());
    }

    @Override
    public void listPodSandboxStats(ListPodSandboxStatsRequest request,
            StreamObserver<ListPodSandboxStatsResponse> response) {
        GrpcErrors.answer(response, () -> ListPodSandboxStatsResponse.newBuilder()
                .addAllStats(stats.sandboxes(request.getFilter())).build());
    }
}
