package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import org.bosun.api.net.NetworkRequest;
import org.junit.Test;

/**
 * The host's ports as {@link HostPorts} reads them: sockets from the real {@code /proc/net}
 * tables, and portmap's forwards from {@code iptables-save} output as portmap 1.1.1 writes it.
 */
public class HostPortsTest {
    /** What {@code iptables-save -t nat} showed after portmap ADD of 18081/tcp and 18082/udp at 127.0.0.1 (MACHINE-NOTES §5). */
    static final String PORTMAP_SAVE = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :CNI-DN-71438683666cdde0bf764 - [0:0]
            :CNI-HOSTPORT-DNAT - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
            -A POSTROUTING -s 10.244.201.2/32 -m comment --comment "name: \\"pmxnet\\" id: \\"abc123-uuid\\"" -j CNI-71438683666cdde0bf764dc8
            -A CNI-DN-71438683666cdde0bf764 -s 10.244.201.0/24 -p tcp -m tcp --dport 18081 -j CNI-HOSTPORT-SETMARK
            -A CNI-DN-71438683666cdde0bf764 -s 127.0.0.1/32 -p tcp -m tcp --dport 18081 -j CNI-HOSTPORT-SETMARK
            -A CNI-DN-71438683666cdde0bf764 -p tcp -m tcp --dport 18081 -j DNAT --to-destination 10.244.201.2:80
            -A CNI-DN-71438683666cdde0bf764 -s 10.244.201.0/24 -d 127.0.0.1/32 -p udp -m udp --dport 18082 -j CNI-HOSTPORT-SETMARK
            -A CNI-DN-71438683666cdde0bf764 -d 127.0.0.1/32 -p udp -m udp --dport 18082 -j DNAT --to-destination 10.244.201.2:81
            -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"pmxnet\\" id: \\"abc123-uuid\\"" -m multiport --dports 18081 -j CNI-DN-71438683666cdde0bf764
            -A CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \\"pmxnet\\" id: \\"abc123-uuid\\"" -m multiport --dports 18082 -j CNI-DN-71438683666cdde0bf764
            COMMIT
            """;

    @Test
    public void portmapsForwardsAreReadWithTheirContainerNetworkAndHostAddress() {
        assertEquals(List.of(new HostPorts.Forward("abc123-uuid", "pmxnet", "tcp", 18081, null),
                new HostPorts.Forward("abc123-uuid", "pmxnet", "udp", 18082, "127.0.0.1")),
                HostPorts.parseForwards(PORTMAP_SAVE));
        assertEquals(List.of(), HostPorts.parseForwards("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"));
    }

    @Test
    public void aForwardClashesWithTheSamePortAndProtocolOnAnOverlappingAddress() {
        HostPorts.Forward all = new HostPorts.Forward("x", "n", "tcp", 18081, null);
        HostPorts.Forward local = new HostPorts.Forward("x", "n", "udp", 18082, "127.0.0.1");
        assertTrue(all.clashesWith(new NetworkRequest.PortMapping(18081, 80, "tcp", null)));
        assertTrue(all.clashesWith(new NetworkRequest.PortMapping(18081, 81, "tcp", "192.0.2.1")));
        assertFalse(all.clashesWith(new NetworkRequest.PortMapping(18081, 80, "udp", null)));
        assertFalse(all.clashesWith(new NetworkRequest.PortMapping(18082, 80, "tcp", null)));
        assertTrue(local.clashesWith(new NetworkRequest.PortMapping(18082, 53, "udp", null)));
        assertFalse(local.clashesWith(new NetworkRequest.PortMapping(18082, 53, "udp", "192.0.2.1")));
    }

    @Test
    public void theProcTablesAreReadInHostByteOrderPerWord() {
        String tcp = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
                   1: 0100007F:1F91 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0 100 0 0 10 0
                """;
        assertEquals(List.of(new HostPorts.Listener("tcp", address("127.0.0.1"), 8080, 4242)),
                HostPorts.parseListeners("tcp", tcp));
        String tcp6 = """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0
                   1: 0000000000000000FFFF00000100007F:0051 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 78 1 0 100 0 0 10 0
                """;
        assertEquals(List.of(new HostPorts.Listener("tcp", address("::1"), 80, 77),
                new HostPorts.Listener("tcp", address("127.0.0.1"), 81, 78)), HostPorts.parseListeners("tcp", tcp6));
    }

    @Test
    public void aListenerClashesWhenTheForwardWouldCatchItsConnections() {
        NetworkRequest.PortMapping everywhere = new NetworkRequest.PortMapping(8080, 80, "tcp", null);
        NetworkRequest.PortMapping onOne = new NetworkRequest.PortMapping(8080, 80, "tcp", "192.0.2.1");
        assertTrue(new HostPorts.Listener("tcp", address("0.0.0.0"), 8080, 1).clashesWith(onOne));
        assertTrue(new HostPorts.Listener("tcp", address("::"), 8080, 1).clashesWith(everywhere));
        assertTrue(new HostPorts.Listener("tcp", address("127.0.0.1"), 8080, 1).clashesWith(everywhere));
        assertFalse(new HostPorts.Listener("tcp", address("127.0.0.1"), 8080, 1).clashesWith(onOne));
        assertTrue(new HostPorts.Listener("tcp", address("192.0.2.1"), 8080, 1).clashesWith(onOne));
        assertFalse("portmap forwards IPv4 only", new HostPorts.Listener("tcp", address("::1"), 8080, 1)
                .clashesWith(everywhere));
        assertFalse(new HostPorts.Listener("udp", address("0.0.0.0"), 8080, 1).clashesWith(everywhere));
        assertFalse(new HostPorts.Listener("tcp", address("0.0.0.0"), 8081, 1).clashesWith(everywhere));
    }

    @Test
    public void aRealListeningSocketIsFoundAndNamedWithItsProcess() throws Exception {
        try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(0, address("127.0.0.1"))) {
            tcp.bind(new InetSocketAddress("0.0.0.0", 0));
            long me = ProcessHandle.current().pid();
            HostPorts.Listener listening = HostPorts.listeners().stream()
                    .filter(l -> l.protocol().equals("tcp") && l.port() == tcp.getLocalPort()).findFirst().orElseThrow();
            assertEquals("a host process listening on tcp/" + tcp.getLocalPort() + " (pid " + me + ", java)",
                    listening.describe());
            HostPorts.Listener bound = HostPorts.listeners().stream()
                    .filter(l -> l.protocol().equals("udp") && l.port() == udp.getLocalPort()).findFirst().orElseThrow();
            assertEquals("a host process bound on udp/" + udp.getLocalPort() + " at 127.0.0.1 (pid " + me + ", java)",
                    bound.describe());
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
