package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * How {@code bosun api-service} waits for its service: it ends at once on a failure the service
 * reported, says so when it listens, and gives up only when neither happens.
 */
public class ApiServiceMainTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void aFailureTheServiceReportedEndsTheWaitAtOnceWithItsLine() throws Exception {
        long t0 = System.nanoTime();
        String line = ApiServiceMain.awaitReady(() -> false,
                () -> "the API service cannot listen on 127.0.0.1:15441 (Address already in use)", 60_000, 50);
        assertEquals("the API service cannot listen on 127.0.0.1:15441 (Address already in use)", line);
        assertTrue((System.nanoTime() - t0) / 1_000_000 + " ms", System.nanoTime() - t0 < 1_000_000_000L);
    }

    @Test
    public void aFailureReportedWhileWaitingEndsTheWaitAtItsNextLook() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        String line = ApiServiceMain.awaitReady(() -> false,
                () -> looks.incrementAndGet() < 3 ? null : "the API service cannot listen on /run/x.sock", 60_000, 1);
        assertEquals("the API service cannot listen on /run/x.sock", line);
        assertEquals(3, looks.get());
    }

    @Test
    public void aListeningServiceEndsTheWaitWithNoLine() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        assertNull(ApiServiceMain.awaitReady(() -> looks.incrementAndGet() >= 2, () -> null, 60_000, 1));
    }

    @Test
    public void aServiceThatNeitherListensNorFailsIsGivenUpAfterTheTimeout() throws Exception {
        String line = ApiServiceMain.awaitReady(() -> false, () -> null, 100, 10);
        assertTrue(line, line.startsWith("the API service did not start listening within 0 s"));
    }

    @Test
    public void aUnixSocketAnswersOnlyWhileAServerListensOnIt() throws Exception {
        Path socket = temp.getRoot().toPath().resolve("api.sock");
        assertFalse("no file", ServiceProbe.answers(socket));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertTrue("a server listens", ServiceProbe.answers(socket));
        }
        assertTrue("the file stays", socket.toFile().exists());
        assertFalse("a stale socket file", ServiceProbe.answers(socket));
    }
}
