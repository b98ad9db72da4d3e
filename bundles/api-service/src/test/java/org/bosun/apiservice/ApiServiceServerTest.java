package org.bosun.apiservice;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** What the service tells its launcher when it cannot start, and how it tells a socket in use from a stale one. */
public class ApiServiceServerTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void aFailureIsReportedOnOneLineInTheSystemPropertyTheLauncherNamed() {
        String key = "bosun.api.failure.test-" + System.nanoTime();
        try {
            ApiServiceServer.report(key, "the API service cannot listen on /x.sock: bind failed\n  at somewhere\n");
            assertEquals("the API service cannot listen on /x.sock: bind failed; at somewhere",
                    System.getProperty(key));
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    public void withNoKeyNothingIsReported() {
        int before = System.getProperties().size();
        ApiServiceServer.report(null, "x");
        ApiServiceServer.report("", "x");
        assertEquals(before, System.getProperties().size());
    }

    @Test
    public void aSocketInUseAnswersAndAStaleOneDoesNot() throws Exception {
        Path socket = temp.getRoot().toPath().resolve("api.sock");
        assertFalse(ApiServiceServer.answers(socket));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertTrue(ApiServiceServer.answers(socket));
        }
        assertTrue(socket.toFile().exists());
        assertFalse(ApiServiceServer.answers(socket));
    }
}
