package org.bosun.stage1.nspawn;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.stage1.PodDirectory;

/**
 * The pod's network settings in systemd-nspawn terms: its network namespace (or the host's), and
 * its {@code etc/} files ({@code resolv.conf}, {@code hosts}, {@code hostname}), which the core wrote
 * into the pod and which each app's unit binds read-only over the app's own {@code /etc} files (on
 * the mount points {@link org.bosun.stage1.rules.EtcMountPoints} makes).
 */
final class PodNetworkFiles {
    /** Where the pod's {@code etc/} is mounted inside the stage1 tree. */
    static final String ETC_IN_POD = "/opt/bosun-etc";

    private PodNetworkFiles() {
    }

    /**
     * The step of the pod's command that joins its network namespace, the one the core created and
     * attached, before anything else; none for the host's network ({@code --net=host}, no netns).
     * systemd-nspawn then runs the pod in the network it finds itself in, as runc joins a network
     * before it unshares the rest, rather than joining it with {@code --network-namespace-path}:
     * <ul>
     * <li>it would mount the pod's /sys before it joins, so a sysfs of the host's network (with
     *     every host interface in /sys/class/net); joined first, the pod's /sys is one mounted
     *     inside the pod's network (see {@link PodSysfs});
     * <li>with a user namespace ({@code --private-users}) it would join from inside the new user
     *     namespace, which owns no rights over a namespace the host's root made (EPERM); joined
     *     first, the pod's root uses the network but cannot reconfigure it.
     * </ul>
     */
    static List<String> networkStep(PodDirectory pod) {
        if (pod.settings().netns() == null) {
            return List.of();
        }
        return List.of(NspawnEngine.NSENTER, "--net=" + pod.settings().netns(), "--");
    }

    /** systemd-nspawn's flags for the pod's etc files and host name. */
    static List<String> nspawnFlags(PodDirectory pod) {
        List<String> flags = new ArrayList<>();
        PodDirectory.Pod settings = pod.settings();
        if (settings.etcDir() != null) {
            flags.add("--bind-ro=" + NspawnEngine.bindPath(settings.etcDir()) + ":" + ETC_IN_POD);
        }
        if (settings.hostname() != null) {
            flags.add("--hostname=" + settings.hostname());
        }
        return flags;
    }

    /** A unit's bind mounts of the pod's etc files over the app's. */
    static String unitLines(List<String> present) {
        StringBuilder sb = new StringBuilder();
        for (String file : present) {
            sb.append("BindReadOnlyPaths=").append(ETC_IN_POD).append('/').append(file).append(":/etc/").append(file)
                    .append('\n');
        }
        return sb.toString();
    }
}
