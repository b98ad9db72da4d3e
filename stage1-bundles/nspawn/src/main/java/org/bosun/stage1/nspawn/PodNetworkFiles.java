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
     * systemd-nspawn's network flags: the namespace the core created and attached (unless the pod's
     * command joins it first, see {@link PodUserNamespace#joinsNetworkFirst}), or none at all for the
     * host's network ({@code --net=host}, no netns).
     */
    static List<String> nspawnFlags(PodDirectory pod) {
        List<String> flags = new ArrayList<>();
        PodDirectory.Pod settings = pod.settings();
        if (settings.netns() != null && !PodUserNamespace.joinsNetworkFirst(pod)) {
            flags.add("--network-namespace-path=" + settings.netns());
        }
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
