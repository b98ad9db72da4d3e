package org.bosun.stage1.oci;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.security.IdMapping;
import org.bosun.api.stage1.PodDirectory;

/**
 * The pod's user namespace ({@code --private-users}): made by the infra container, joined by the
 * apps, with the range the userns module allocated. Nothing for a pod without one.
 */
final class UserNamespaceOpts {
    private UserNamespaceOpts() {
    }

    /**
     * The app joins the infra container's user namespace. sysfs can only be mounted by the user
     * namespace owning the network namespace, which the host's root made: the app gets the host's
     * /sys, read-only, as rootless runc and podman do.
     */
    static SpecOpt app(PodDirectory pod) {
        IdMapping mapping = pod.settings().userNamespace();
        if (mapping == null) {
            return spec -> spec;
        }
        OciSpec.Mount sys = MountOpts.mount("/sys", "bind", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro", "rprivate");
        SpecOpt joined = of(mapping, new OciSpec.Namespace("user", ContainerSpecs.infraNamespace("user")));
        return spec -> {
            List<OciSpec.Mount> mounts = new ArrayList<>(spec.mounts());
            mounts.replaceAll(m -> m.destination().equals("/sys") ? sys : m);
            return joined.apply(spec.withMounts(mounts));
        };
    }

    /** The infra container makes it. */
    static SpecOpt infra(PodDirectory pod) {
        IdMapping mapping = pod.settings().userNamespace();
        return mapping == null ? spec -> spec : of(mapping, OciSpec.Namespace.created("user"));
    }

    private static SpecOpt of(IdMapping mapping, OciSpec.Namespace user) {
        List<OciSpec.IdMapping> ids = List.of(new OciSpec.IdMapping(mapping.container(), mapping.host(), mapping.size()));
        return spec -> spec.linux(l -> l.withMoreNamespaces(List.of(user)).withIdMappings(ids, ids));
    }
}
