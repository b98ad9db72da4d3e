package org.bosun.core;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkRequest;
import org.bosun.api.pod.PodState;


/**
 * Makes sure the host ports a new pod forwards will reach it. portmap installs a forward whatever
 * else uses the port, and the first forward wins, so without this a second pod on a port got no
 * traffic, and a host server lost its own. A port is refused, in one line naming its holder, when
 * a host process is bound to it, or a pod that runs or will run (prepared) forwards it, or a
 * forward that is no bosun pod's (another CNI runtime's); an exited pod's forward, or one whose
 * pod directory is gone, is taken over: that pod's network is released first.
 * <p>
 * The caller holds the host-wide ports lock ({@link PodHoldings#portsLock}) from this check until
 * the new pod's forwards exist, so two pods never both find a port free.
 */
final class PodPortClaims {
    /** States in which a pod's forwards are in use, or will be. */
    private static final Set<PodState> IN_USE = EnumSet.of(PodState.EMBRYO, PodState.PREPARING, PodState.PREPARED,
            PodState.RUNNING);

    private final PodNetwork network;
    private final PodHoldings holdings;

    PodPortClaims(PodNetwork network, PodHoldings holdings) {
        this.network = network;
        this.holdings = holdings;
    }

    /** Refuses a port someone else holds; releases the forwards of stopped pods in the way. */
    void claim(RuntimePaths paths, List<NetworkRequest.PortMapping> ports) {
        List<HostPorts.Listener> listeners = HostPorts.listeners();
        for (NetworkRequest.PortMapping m : ports) {
            for (HostPorts.Listener l : listeners) {
                if (l.clashesWith(m)) {
                    throw taken(m, l.describe(), "stop it, or forward another host port");
                }
            }
        }
        Set<String> released = new HashSet<>();
        for (HostPorts.Forward f : HostPorts.forwards()) {
            NetworkRequest.PortMapping m = ports.stream().filter(f::clashesWith).findFirst().orElse(null);
            if (m != null && released.add(f.containerId())) {
                takeOver(paths, m, f);
            }
        }
        if (!released.isEmpty()) {
            for (HostPorts.Forward f : HostPorts.forwards()) {
                NetworkRequest.PortMapping m = ports.stream().filter(f::clashesWith).findFirst().orElse(null);
                if (m != null) {
                    throw taken(m, "pod " + f.containerId() + " (stopped), whose forward stayed after its network was"
                            + " released", "run bosun gc, or forward another host port");
                }
            }
        }
    }

    /** Releases the forward's pod if it has stopped; otherwise refuses the port, naming it. */
    private void takeOver(RuntimePaths paths, NetworkRequest.PortMapping m, HostPorts.Forward f) {
        String id = f.containerId();
        Optional<PodHoldings.Holding> holding = holdings.read(id);
        Path podsDir = holding.map(h -> Path.of(h.podsDir())).orElse(paths.podsDir());
        PodStore store = new PodStore(podsDir);
        PodStore.Found pod = PodNetwork.locate(store, id);
        String where = podsDir.equals(paths.podsDir()) ? "" : " in --dir=" + podsDir.getParent();
        if (pod == null) {
            if (holding.isEmpty()) {
                throw taken(m, "container " + id + " of CNI network \"" + f.network() + "\", which is no bosun pod of"
                        + " this host", "remove that forward, or forward another host port");
            }
            String held = network.releaseOrphan(holding.get());
            if (held != null) {
                throw taken(m, "pod " + id + ", whose directory is gone but not what it holds (" + held + ")",
                        "forward another host port");
            }
            return;
        }
        PodState state = store.state(pod);
        if (IN_USE.contains(state)) {
            throw taken(m, "pod " + id + " (" + state.label() + where + ")",
                    "stop and remove that pod, or forward another host port");
        }
        String held = network.releaseStopped(store, pod);
        if (held != null) {
            throw taken(m, "pod " + id + " (" + state.label() + where + "), whose network could not be released: "
                    + held, "forward another host port");
        }
    }

    private static BosunException taken(NetworkRequest.PortMapping m, String holder, String fix) {
        return new BosunException(ErrorKind.ALREADY_EXISTS, "--port: host port " + m.hostPort() + "/" + m.protocol()
                + (m.hostIp() == null ? "" : " at " + m.hostIp()) + " is taken by " + holder + "; " + fix);
    }
}
