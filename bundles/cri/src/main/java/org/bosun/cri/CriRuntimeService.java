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
import org.bosun.cri.v1.ExecRequest;
import org.bosun.cri.v1.ExecResponse;
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

import io.grpc.stub.StreamObserver;

/**
 * The CRI RuntimeService: what the runtime is and whether it can work. The RPCs this class does not
 * override answer UNIMPLEMENTED (grpc's base class: "Method runtime.v1.RuntimeService/X is
 * unimplemented"): sandboxes and containers need bosun's app-level operations (issue 14) first.
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
    private final CriStreaming streaming;

    CriRuntimeService(ProviderRegistry providers, RuntimePaths paths, String version, CriStreaming streaming) {
        this.providers = providers;
        this.paths = paths;
        this.version = version;
        this.streaming = streaming;
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
        CriErrors.answer(response, () -> streaming.exec(request));
    }

    @Override
    public void attach(AttachRequest request, StreamObserver<AttachResponse> response) {
        CriErrors.answer(response, () -> streaming.attach(request));
    }

    @Override
    public void portForward(PortForwardRequest request, StreamObserver<PortForwardResponse> response) {
        CriErrors.answer(response, () -> streaming.portForward(request));
    }
}
