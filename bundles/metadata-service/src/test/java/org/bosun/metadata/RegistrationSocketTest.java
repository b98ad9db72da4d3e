package org.bosun.metadata;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The runtime's registration socket, over a real unix socket: a pod registered there is served,
 * one removed is refused at once (its token and its signatures), whatever is left of its files.
 */
public class RegistrationSocketTest {
    private static final String UUID = "11111111-2222-4333-8444-555555555555";
    private static final String TOKEN = "a".repeat(64);
    private static final String APP = "{\"name\":\"web\",\"image\":{\"name\":\"example.com/busybox\",\"id\":\"sha512-"
            + "c".repeat(64) + "\"}}";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private ExecutorService workers;
    private RegistrationSocket socket;
    private PodRegistrations pods;
    private Path path;

    @Before
    public void aServiceWithOneRunningPod() throws Exception {
        Path host = tmp.newFolder("host").toPath();
        Path data = tmp.newFolder("data").toPath();
        MetadataRequestsTest.registerPod(host, data, UUID, TOKEN, "172.16.28.5", "run", "[]", APP);
        pods = new PodRegistrations(host);
        workers = Executors.newFixedThreadPool(2);
        path = tmp.getRoot().toPath().resolve("run").resolve("metadata-svc.sock");
        socket = RegistrationSocket.listen(pods, path, workers);
    }

    @After
    public void stop() throws Exception {
        socket.close();
        workers.shutdownNow();
    }

    @Test
    public void theSocketIsRootOnlyAndGoneWhenClosed() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        socket.close();
        assertFalse(Files.exists(path));
    }

    @Test
    public void aPodRegisteredIsServedAndOneRemovedIsRefusedAtOnce() throws Exception {
        assertTrue(exchange("PUT /pods/" + UUID).startsWith("HTTP/1.1 204 "));
        assertTrue(pods.byToken(TOKEN).isPresent());
        String list = exchange("GET /pods");
        assertTrue(list, list.startsWith("HTTP/1.1 200 ") && list.endsWith("[{\"uuid\":\"" + UUID
                + "\",\"url\":\"http://172.16.28.1:18112/" + TOKEN + "\"}]"));

        assertTrue(exchange("DELETE /pods/" + UUID).startsWith("HTTP/1.1 204 "));
        assertFalse("refused, though its files are still there", pods.byToken(TOKEN).isPresent());
        assertFalse(pods.byUuid(UUID).isPresent());
        assertTrue(exchange("GET /pods").endsWith("[]"));

        assertTrue("registered again (the same pod set up anew)", exchange("PUT /pods/" + UUID).startsWith(
                "HTTP/1.1 204 "));
        assertTrue(pods.byUuid(UUID).isPresent());
    }

    @Test
    public void badRequestsGetOneLineThatSaysWhat() throws Exception {
        String unknown = exchange("PUT /pods/66666666-7777-4888-9999-aaaaaaaaaaaa");
        assertTrue(unknown, unknown.startsWith("HTTP/1.1 404 ") && unknown.contains("has no readable host record"));
        String notUuid = exchange("PUT /pods/..%2F..%2Fetc");
        assertTrue(notUuid, notUuid.startsWith("HTTP/1.1 400 ") && notUuid.contains("is not a pod uuid"));
        String method = exchange("POST /pods/" + UUID);
        assertTrue(method, method.startsWith("HTTP/1.1 405 ") && method.contains("Allow: PUT, DELETE"));
        String elsewhere = exchange("GET /" + TOKEN + "/acMetadata/v1/pod/uuid");
        assertTrue(elsewhere, elsewhere.startsWith("HTTP/1.1 404 ") && elsewhere.contains("AC_METADATA_URL"));
        String body = raw("PUT /pods/" + UUID + " HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        assertTrue(body, body.startsWith("HTTP/1.1 400 ") && body.contains("has no body"));
        String garbage = raw("hello\r\n\r\n");
        assertTrue(garbage, garbage.startsWith("HTTP/1.1 400 ") && garbage.contains("not an HTTP/1 request line"));
        assertEquals("the one pod, still registered", 1, pods.registered().size());
    }

    private String exchange(String requestLine) throws Exception {
        return raw(requestLine + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    private String raw(String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (c.read(b) > 0) {
                answer.write(b.array(), 0, b.position());
                b.clear();
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
