package org.bosun.agent;

import static org.junit.Assert.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.Test;

/** The connections this JVM serves, counted from /proc: real sockets, opened and closed by the test. */
public class OpenConnectionsTest {

    @Test
    public void countsAcceptedUnixAndTcpConnectionsButNotListenersNorItsOwnClients() throws Exception {
        Path dir = Files.createTempDirectory("bosun-open-connections-");
        Path path = dir.resolve("s.sock");
        int before = OpenConnections.count();
        try (ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                ServerSocketChannel tcp = ServerSocketChannel.open()) {
            unix.bind(UnixDomainSocketAddress.of(path));
            tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertEquals("listening sockets are no connections", before, OpenConnections.count());
            // Served: the accepted ends count; the client ends (this JVM connected them) do not.
            SocketChannel unixClient = SocketChannel.open(UnixDomainSocketAddress.of(path));
            SocketChannel unixServed = unix.accept();
            SocketChannel tcpClient = SocketChannel.open(tcp.getLocalAddress());
            SocketChannel tcpServed = tcp.accept();
            assertEquals(before + 2, OpenConnections.count());
            unixServed.close();
            unixClient.close();
            assertEquals(before + 1, OpenConnections.count());
            tcpServed.close();
            tcpClient.close();
            assertEquals(before, OpenConnections.count());
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    @Test
    public void readsTheKernelsUnixTable() {
        List<String> table = List.of(
                "Num       RefCount Protocol Flags    Type St Inode Path",
                "0000000000000000: 00000002 00000000 00010000 0001 01 101 /run/bosun/agent.sock",
                "0000000000000000: 00000003 00000000 00000000 0001 03 102 /run/bosun/agent.sock",
                "0000000000000000: 00000003 00000000 00000000 0001 03 103",
                "0000000000000000: 00000003 00000000 00000000 0001 03 104 /run/bosun/cri.sock",
                "0000000000000000: 00000002 00000000 00000000 0002 03 105 /run/systemd/journal/socket");
        assertEquals("the accepted stream sockets of this process: 102; 104 is another process's",
                1, OpenConnections.unix(table, Set.of("101", "102", "103", "105")));
    }
}
