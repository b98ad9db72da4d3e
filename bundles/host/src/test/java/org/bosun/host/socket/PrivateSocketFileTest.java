package org.bosun.host.socket;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PrivateSocketFileTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static ServerSocketChannel listen(Path socket) throws IOException {
        try (PrivateSocketFile file = PrivateSocketFile.prepare(socket, "busy")) {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(file.bindPath()));
            file.publish();
            return server;
        }
    }

    @Test
    public void theSocketAppearsWithMode0600AndAnswersAtItsPath() throws Exception {
        Path socket = tmp.getRoot().toPath().resolve("run/bosun/x.sock");
        try (ServerSocketChannel server = listen(socket)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("a directory it made is the owner's only", "rwx------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                    SocketChannel accepted = server.accept()) {
                assertTrue(accepted.isConnected());
            }
            try (var listing = Files.list(socket.getParent())) {
                assertEquals("the staging directory is gone", 1, listing.count());
            }
        }
    }

    @Test
    public void aSocketThatAnswersIsRefusedAndAStaleOneReplaced() throws Exception {
        Path socket = tmp.getRoot().toPath().resolve("y.sock");
        try (ServerSocketChannel first = listen(socket)) {
            IOException busy = assertThrows(IOException.class, () -> PrivateSocketFile.prepare(socket, "another listens"));
            assertEquals("another listens", busy.getMessage());
        }
        // The first server closed without deleting its file, as after a SIGKILL.
        assertTrue(Files.exists(socket));
        assertFalse(PrivateSocketFile.answers(socket));
        try (ServerSocketChannel second = listen(socket)) {
            assertTrue(PrivateSocketFile.answers(socket));
        }
    }
}
