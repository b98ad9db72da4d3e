package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.net.NetworkRequest;
import org.bosun.api.pod.PodOptions;
import org.junit.Test;

/** {@code --port} as the CNI port mappings {@link PodPortMappings} derives from the options and the images. */
public class PodPortMappingsTest {

    @Test
    public void aNamedPortTakesItsNumberAndProtocolFromTheImage() {
        List<ImageManifest.Port> image = List.of(new ImageManifest.Port("80-tcp", "tcp", 80),
                new ImageManifest.Port("dns", "udp", 53));
        assertEquals(List.of(new NetworkRequest.PortMapping(8080, 80, "tcp", null),
                new NetworkRequest.PortMapping(5353, 53, "udp", "127.0.0.1"),
                new NetworkRequest.PortMapping(9000, 9, "tcp", null)),
                PodPortMappings.of(List.of(new PodOptions.PortForward("80-tcp", null, 0, null, 8080),
                        new PodOptions.PortForward("dns", null, 0, "127.0.0.1", 5353),
                        new PodOptions.PortForward(null, "tcp", 9, null, 9000)), image));
    }

    @Test
    public void anUnknownPortNameOrATwiceForwardedHostPortIsRefused() {
        List<ImageManifest.Port> image = List.of(new ImageManifest.Port("80-tcp", "tcp", 80));
        BosunException unknown = assertThrows(BosunException.class, () -> PodPortMappings.of(
                List.of(new PodOptions.PortForward("http", null, 0, null, 8080)), image));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("declared: 80-tcp"));
        assertThrows(BosunException.class, () -> PodPortMappings.of(List.of(
                new PodOptions.PortForward("80-tcp", null, 0, null, 8080),
                new PodOptions.PortForward(null, "tcp", 81, null, 8080)), image));
    }
}
