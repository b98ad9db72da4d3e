package org.bosun.stage1.oci;

import java.nio.file.Path;
import java.util.List;

import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The OCI runtime spec ({@code config.json}) of each container of a pod: one container per app and
 * per event handler, and for a pod with a user namespace an infra container; each spec built by the
 * options of its concerns ({@link SpecOpt}): process and user, mounts, namespaces, user namespace,
 * resources, masked paths, capabilities, seccomp, SELinux, the start hook.
 *
 * <p>Each bundle lives in {@code <pod>/engine/bundles/<id>/}. Paths inside the pod are written
 * relative to the bundle (the runtimes resolve {@code root.path} and bind sources there), so the
 * files stay right when the pod directory moves from prepared/ to run/. The infra container's pid
 * is known only when the pod runs: the specs of containers that join its namespaces name them as
 * {@code /proc/@INFRA_PID@/ns/...} in {@code config.json.in}, from which the supervisor writes
 * {@code config.json}.
 */
final class ContainerSpecs {
    static final String INFRA_PID = "@INFRA_PID@";
    /** The placeholder of the pid of the pod's PID namespace holder, see {@link #sharesPid}. */
    static final String PID_HOLDER = "@PID_HOLDER@";
    /**
     * The engine option of the apps' PID namespaces: {@code app} (each its own, the default),
     * {@code pod} or {@code host}.
     */
    static final String PID_OPTION = "pid";
    static final String PID_APP = "app";
    static final String PID_POD = "pod";
    static final String PID_HOST = "host";
    static final String INFRA = "infra";
    /** A spec the supervisor completes with the infra container's pid. */
    static final String TEMPLATE = "config.json.in";
    static final String CONFIG = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final PodDirectory pod;
    private final int minimumOomScoreAdj;
    private final Path init;
    private final boolean compiledSeccomp;

    /**
     * @param minimumOomScoreAdj the lowest {@code oom_score_adj} the host lets the engine give
     * @param init the host's static init (catatonit), PID 1 of every app container, see {@link AppInit}
     * @param compiledSeccomp whether the runtime takes a compiled seccomp program (crun), see {@link SeccompOpts}
     */
    ContainerSpecs(PodDirectory pod, int minimumOomScoreAdj, Path init, boolean compiledSeccomp) {
        this.pod = pod;
        this.minimumOomScoreAdj = minimumOomScoreAdj;
        this.init = init;
        this.compiledSeccomp = compiledSeccomp;
    }

    static String appId(String app) {
        return "app-" + app;
    }

    static String handlerId(String handler, String app) {
        return handler + "-" + app;
    }

    /** Where a container's bundle lives. */
    static Path bundle(PodDirectory pod, String id) {
        return pod.stage1Dir().resolve("bundles").resolve(id);
    }

    /** The file the engine writes the container's spec to: the template when the supervisor must complete it. */
    static Path specFile(PodDirectory pod, String id) {
        return bundle(pod, id).resolve(templated(pod) && !id.equals(INFRA) ? TEMPLATE : CONFIG);
    }

    /** Whether the apps' specs name a pid known only when the pod runs (the infra's, the PID namespace holder's). */
    static boolean templated(PodDirectory pod) {
        return needsInfra(pod) || sharesPid(pod);
    }

    /**
     * Whether the pod's apps share one PID namespace ({@code --stage1-option=pid=pod}, the CRI's pid
     * POD): the supervisor starts its holder, catatonit in pause mode, which is PID 1 there and reaps
     * its orphans, before any app; each app's spec joins it by {@code /proc/@PID_HOLDER@/ns/pid}, which
     * the supervisor fills in. Otherwise ({@code pid=app}, the default, as in rkt's oci-like engines)
     * each app has a PID namespace of its own.
     */
    static boolean sharesPid(PodDirectory pod) {
        return pidMode(pod).equals(PID_POD);
    }

    /**
     * Whether the pod's apps are in the host's PID namespace ({@code --stage1-option=pid=host}, the
     * CRI's pid NODE): their specs name no PID namespace, so each has the runtime's, the supervisor's,
     * which is the host's (the supervisor makes IPC, UTS, mount and cgroup namespaces, never a PID
     * one). Nothing else changes: capabilities, seccomp, masked and read-only paths, no_new_privs and
     * the other namespaces stay the app's; catatonit, no longer PID 1, is its processes' subreaper.
     */
    static boolean hostPid(PodDirectory pod) {
        return pidMode(pod).equals(PID_HOST);
    }

    /** The pod's {@code pid} option, checked: {@code app} when not given. */
    static String pidMode(PodDirectory pod) {
        String value = pod.settings().engineOptions().get(PID_OPTION);
        if (value == null) {
            return PID_APP;
        }
        if (value.equals(PID_APP) || value.equals(PID_POD) || value.equals(PID_HOST)) {
            return value;
        }
        throw org.bosun.api.BosunException.invalid("--stage1-option=" + PID_OPTION + "=" + value
                + " is not app (a PID namespace per app), pod (one shared by the pod's apps) or host (the host's)");
    }

    /**
     * Whether the pod needs an infra container: only a pod with a user namespace does (see
     * {@link NamespaceOpts}); otherwise the supervisor holds the shared namespaces.
     */
    static boolean needsInfra(PodDirectory pod) {
        return pod.settings().userNamespace() != null;
    }

    /**
     * Whether the containers take the pod's network namespace from the runtime's process instead of
     * joining it by path: with a user namespace, runc joins the infra's user namespace before the
     * network namespace, which that user namespace does not own (EPERM). The pod's process enters the
     * pod's network namespace first ({@link OciEngine#run}), as root of the host, and every container
     * of the pod inherits it; the pod's root can use the network but not reconfigure it.
     */
    static boolean inheritsNetwork(PodDirectory pod) {
        return pod.settings().userNamespace() != null && pod.settings().netns() != null;
    }

    static String infraNamespace(String type) {
        return "/proc/" + INFRA_PID + "/ns/" + type;
    }

    /** The infra container of a pod with a user namespace: its user, IPC and UTS namespaces. */
    OciSpec infra(Path infraRootfs) {
        return SpecOpt.apply(root(INFRA, infraRootfs, true),
                ProcessOpts.infra(),
                CapabilityOpts.none(),
                MountOpts.infra(),
                NamespaceOpts.infra(pod),
                UserNamespaceOpts.infra(pod),
                ResourceOpts.cgroup(INFRA),
                MaskedPathOpts.none());
    }

    /**
     * The container of {@code app}, running {@code args} (the app's exec, or one of its event
     * handlers) under the init, which is the container's PID 1.
     */
    OciSpec app(PodDirectory.App app, String id, List<String> args) {
        SecurityPolicy policy = app.security();
        boolean handler = !id.equals(appId(app.name()));
        OciSpec spec = SpecOpt.apply(root(id, app.rootfs(), app.readonlyRootfs()),
                ProcessOpts.app(pod, app, args, handler),
                CapabilityOpts.app(policy),
                ResourceOpts.app(app.resources(), minimumOomScoreAdj, policy.hostDevices()),
                SelinuxOpts.app(policy),
                MountOpts.app(pod, app, id, init),
                NamespaceOpts.app(pod),
                UserNamespaceOpts.app(pod),
                ResourceOpts.cgroup(id),
                DeviceOpts.enforced(id, policy.hostDevices()),
                MaskedPathOpts.app(policy),
                SeccompOpts.app(app, policy, compiledSeccomp));
        return handler ? spec : StartedHook.app(app.name()).apply(spec);
    }

    private OciSpec root(String id, Path rootfs, boolean readonly) {
        return OciSpec.EMPTY.withRoot(new OciSpec.Root(relative(pod, id, rootfs), readonly));
    }

    /** The app's {@code oom_score_adj}, raised to what the host allows; null for none. */
    Integer oomScoreAdj(org.bosun.api.pod.Resources resources) {
        return ResourceOpts.oomScoreAdj(resources, minimumOomScoreAdj);
    }

    /** A path inside the pod relative to the container's bundle; anything else as it is. */
    static String relative(PodDirectory pod, String id, Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (p.startsWith(pod.path())) {
            return bundle(pod, id).relativize(p).toString();
        }
        return p.toString();
    }

    static String json(OciSpec spec) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
