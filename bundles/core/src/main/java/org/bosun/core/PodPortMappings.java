package org.bosun.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.net.NetworkRequest;
import org.bosun.api.pod.PodOptions;

/**
 * {@code --port} as CNI port mappings: a named port takes its number and protocol from the apps'
 * images ({@code 80-tcp}); rkt's five-part form gives them itself. Checked before anything is
 * created, since the provider would only find a clash once the first mapping is in place.
 */
final class PodPortMappings {

    private PodPortMappings() {
    }

    static List<NetworkRequest.PortMapping> of(List<PodOptions.PortForward> forwards, List<ImageManifest.Port> imagePorts) {
        List<NetworkRequest.PortMapping> mappings = new ArrayList<>();
        Set<String> hostPorts = new LinkedHashSet<>();
        for (PodOptions.PortForward f : forwards) {
            int podPort = f.podPort();
            String protocol = f.protocol();
            if (podPort == 0) {
                ImageManifest.Port declared = declared(f, imagePorts);
                podPort = declared.port();
                protocol = protocol == null ? declared.protocol() : protocol;
            }
            protocol = protocol == null ? "tcp" : protocol;
            if (!hostPorts.add(protocol + "/" + f.hostPort())) {
                throw BosunException.invalid("--port: host port " + f.hostPort() + "/" + protocol
                        + " is forwarded twice; forward each host port once");
            }
            mappings.add(new NetworkRequest.PortMapping(f.hostPort(), podPort, protocol, f.hostIp()));
        }
        return mappings;
    }

    private static ImageManifest.Port declared(PodOptions.PortForward f, List<ImageManifest.Port> imagePorts) {
        return imagePorts.stream().filter(p -> p.name().equals(f.name())).findFirst()
                .orElseThrow(() -> BosunException.invalid("--port " + f.name() + ":" + f.hostPort()
                        + ": no app's image declares a port named '" + f.name() + "' (declared: "
                        + (imagePorts.isEmpty() ? "none" : String.join(", ", new TreeSet<>(
                                imagePorts.stream().map(ImageManifest.Port::name).toList())))
                        + "); name one of those, or give NAME:PROTO:PODPORT:HOSTIP:HOSTPORT"));
    }
}
