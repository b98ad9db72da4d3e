package org.bosun.cri.streaming;

import java.util.List;

/**
 * Ports of a pod to forward to.
 *
 * @param pod the pod's UUID
 * @param ports the ports the client may ask for; empty for any (the SPDY client names the port of
 *        each connection), as the CRI's PortForwardRequest allows
 */
public record PortForwardSession(String pod, List<Integer> ports) {
    public PortForwardSession {
        ports = List.copyOf(ports);
        for (int p : ports) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is not between 1 and 65535");
            }
        }
    }
}
