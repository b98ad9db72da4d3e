package org.bosun.stage1.oci;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.stage1.PodDirectory;

/**
 * The container's namespaces but the user namespace ({@link UserNamespaceOpts}). Each app has its
 * own PID (unless the pod's apps share one, {@link ContainerSpecs#sharesPid}, or are in the host's,
 * {@link ContainerSpecs#hostPid}), mount and cgroup
 * namespaces and joins the pod's network namespace (the one the core made,
 * by its path). The pod's IPC and UTS namespaces are held by the supervisor, which makes them when
 * it starts: the apps' specs name no IPC or UTS namespace, so each app has the runtime's, the
 * supervisor's. A pod with a user namespace has an infra container instead, which makes them (the
 * supervisor must stay the host's root to run the runtime); its apps join them by path.
 */
final class NamespaceOpts {
    private NamespaceOpts() {
    }

    static SpecOpt app(PodDirectory pod) {
        List<OciSpec.Namespace> namespaces = new ArrayList<>();
        if (ContainerSpecs.sharesPid(pod)) {
            namespaces.add(new OciSpec.Namespace("pid", "/proc/" + ContainerSpecs.PID_HOLDER + "/ns/pid"));
        } else if (!ContainerSpecs.hostPid(pod)) {
            namespaces.add(OciSpec.Namespace.created("pid"));
        } // else pid=host: none, so the runtime's, the supervisor's, the host's
        namespaces.add(OciSpec.Namespace.created("mount"));
        namespaces.add(OciSpec.Namespace.created("cgroup"));
        if (ContainerSpecs.needsInfra(pod)) {
            for (String shared : shared(pod)) {
                namespaces.add(new OciSpec.Namespace(shared, ContainerSpecs.infraNamespace(shared)));
            }
        }
        // else: no IPC or UTS namespace of its own, so the container has the runtime's, which are
        // the supervisor's, the pod's (no path to fill in when the pod runs). With --ipc=parent
        // neither the supervisor nor the infra container makes an IPC namespace: every container of
        // the pod, an app added later too, has the host's.
        network(pod, namespaces);
        return spec -> spec.linux(l -> l.withMoreNamespaces(namespaces));
    }

    /** The infra container's: the pod's IPC (unless it has the host's) and UTS namespaces, made by it, and so the pod's hostname. */
    static SpecOpt infra(PodDirectory pod) {
        List<OciSpec.Namespace> namespaces = new ArrayList<>(List.of(OciSpec.Namespace.created("pid"),
                OciSpec.Namespace.created("mount")));
        for (String shared : shared(pod)) {
            namespaces.add(OciSpec.Namespace.created(shared));
        }
        network(pod, namespaces);
        String hostname = pod.settings().hostname();
        return spec -> spec.withHostname(hostname).linux(l -> l.withMoreNamespaces(namespaces));
    }

    /** The namespaces the pod holds for its apps (the supervisor or the infra container). */
    private static List<String> shared(PodDirectory pod) {
        return pod.settings().hostIpc() ? List.of("uts") : List.of("ipc", "uts");
    }

    private static void network(PodDirectory pod, List<OciSpec.Namespace> namespaces) {
        if (pod.settings().netns() != null && !ContainerSpecs.inheritsNetwork(pod)) {
            namespaces.add(new OciSpec.Namespace("network", pod.settings().netns().toString()));
        }
    }
}
