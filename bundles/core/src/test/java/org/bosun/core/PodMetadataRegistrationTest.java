package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

import org.bosun.api.net.NetworkAttachment;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.ObjectMapper;

/** A pod's registration with the appc metadata service, as the network's set-up writes it. */
public class PodMetadataRegistrationTest {
    private static final String UUID = "6a4ba1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    private static final NetworkAttachment ON_DEFAULT = new NetworkAttachment("default", "eth0", "172.16.28.5/24",
            "172.16.28.1");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** No service at the default socket: only one recorded beside the port counts. */
    private PodMetadataRegistration withoutService(Path portFile) {
        return new PodMetadataRegistration(portFile, tmp.getRoot().toPath().resolve("none.sock"));
    }

    @Test
    public void aPodOnANetworkGetsAUrlOnItsGatewayWithARandomTokenAndARootOnlyKey() throws Exception {
        Path pod = tmp.newFolder("pod").toPath();
        Path portFile = tmp.getRoot().toPath().resolve("port");
        Files.writeString(portFile, "18555\n");
        PodMetadataRegistration registration = withoutService(portFile);
        String note = registration.register(pod, UUID, false, false, List.of(ON_DEFAULT));
        assertTrue("no service recorded its socket: " + note, note.startsWith("no appc metadata service runs"));

        Path file = pod.resolve(PodMetadataRegistration.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        PodMetadataRegistration.Registration r = new ObjectMapper().readValue(file.toFile(),
                PodMetadataRegistration.Registration.class);
        assertEquals(UUID, r.uuid());
        assertTrue(r.token(), r.token().matches("[0-9a-f]{64}"));
        assertEquals("http://172.16.28.1:18555/" + r.token(), r.url());
        assertEquals(r.url(), PodMetadataRegistration.url(pod));
        assertEquals(64, Base64.getDecoder().decode(r.hmacKey()).length);
        assertEquals(List.of("172.16.28.5"), r.addresses());

        registration.register(pod, UUID, false, false, List.of(ON_DEFAULT));
        PodMetadataRegistration.Registration again = new ObjectMapper().readValue(file.toFile(),
                PodMetadataRegistration.Registration.class);
        assertNotEquals("a new set-up is a new identity", r.token(), again.token());
        assertNotEquals(r.hmacKey(), again.hmacKey());
    }

    @Test
    public void aRunningServiceIsToldOnItsSocketAtSetUpAndAtGcAndARefusalIsANote() throws Exception {
        Path pod = tmp.newFolder("pod").toPath();
        Path portFile = tmp.getRoot().toPath().resolve("port");
        Path socket = tmp.getRoot().toPath().resolve("svc.sock");
        Files.writeString(portFile.resolveSibling(PodMetadataRegistration.SOCKET_NAME), socket + "\n");
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            Thread service = new Thread(() -> {
                for (String status : List.of("204 No Content", "404 Not Found", "204 No Content")) {
                    try (java.nio.channels.SocketChannel c = server.accept()) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
                        StringBuilder head = new StringBuilder();
                        while (!head.toString().endsWith("\r\n\r\n") && c.read(b) > 0) {
                            head.append(new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.ISO_8859_1));
                            b.clear();
                        }
                        heard.add(head.toString().split("\r\n")[0]);
                        String body = status.startsWith("404") ? "pod gone\n" : "";
                        c.write(java.nio.ByteBuffer.wrap(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length()
                                + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            service.start();
            PodMetadataRegistration registration = withoutService(portFile);
            assertNull(registration.register(pod, UUID, false, false, List.of(ON_DEFAULT)));
            String refused = registration.register(pod, UUID, false, false, List.of(ON_DEFAULT));
            assertTrue(refused, refused.contains("did not take the pod's registration (404 pod gone)"));
            registration.forget(UUID);
            service.join(10_000);
            assertEquals(List.of("PUT /pods/" + UUID + " HTTP/1.1", "PUT /pods/" + UUID + " HTTP/1.1",
                    "DELETE /pods/" + UUID + " HTTP/1.1"), heard);
        }
    }

    @Test
    public void aServiceThatNeverAnswersHoldsTheRegistrationNoLongerThanTheTimeout() throws Exception {
        Path socket = tmp.getRoot().toPath().resolve("mute.sock");
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            long start = System.nanoTime();
            String answer = MetadataSocketClient.exchange(socket, "PUT", "/pods/" + UUID,
                    java.time.Duration.ofMillis(300));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("no answer within 300 ms", answer);
            assertTrue(ms + " ms", ms < 2000);
        }
        assertTrue(MetadataSocketClient.exchange(tmp.getRoot().toPath().resolve("absent.sock"), "PUT", "/pods/x",
                java.time.Duration.ofMillis(300)).contains("absent.sock"));
    }

    @Test
    public void withoutARecordedPortTheUrlNamesRktsPort() throws Exception {
        Path pod = tmp.newFolder("pod").toPath();
        withoutService(tmp.getRoot().toPath().resolve("absent")).register(pod, UUID, false, false, List.of(ON_DEFAULT));
        assertTrue(PodMetadataRegistration.url(pod).startsWith("http://172.16.28.1:18112/"));
    }

    @Test
    public void noneAndHostAndANetworkWithoutGatewayGetNoUrlAndSaySo() throws Exception {
        Path pod = tmp.newFolder("pod").toPath();
        PodMetadataRegistration registration = withoutService(tmp.getRoot().toPath().resolve("absent"));
        registration.register(pod, UUID, false, false, List.of(ON_DEFAULT));
        String none = registration.register(pod, UUID, false, true, List.of());
        assertTrue(none, none.startsWith("--net=none: the apps get no AC_METADATA_URL"));
        assertFalse("the earlier registration is gone", Files.exists(pod.resolve(PodMetadataRegistration.FILE)));
        assertNull(PodMetadataRegistration.url(pod));
        assertTrue(registration.register(pod, UUID, true, false, List.of()).startsWith("--net=host"));
        String noGateway = registration.register(pod, UUID, false, false,
                List.of(new NetworkAttachment("mynet", "eth0", "10.1.0.2/24", null)));
        assertTrue(noGateway, noGateway.contains("no network of the pod has a gateway"));
        assertNull(PodMetadataRegistration.url(pod));
    }
}
