package org.bosun.host.tls;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.host.files.Scratch;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * Talking to a real HTTPS server whose self-signed certificate (for {@code localhost}, made by
 * keytool) the JVM does not trust: what {@code certs.d} and {@code --insecure-options=tls} change.
 */
public class TlsTrustTest {
    private static final String PASSWORD = "changeit";
    private static Path keys;
    private static Path certificate;
    private static HttpsServer server;

    @Rule
    public final Scratch scratch = new Scratch();

    private RuntimePaths paths;

    @BeforeClass
    public static void startServer() throws Exception {
        keys = Files.createTempDirectory("bosun-tls-test-");
        Path keystore = keys.resolve("server.p12");
        run(keys, "keytool", "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        certificate = keys.resolve("server.pem");
        run(keys, "keytool", "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-file", certificate.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterClass
    public static void stopServer() {
        if (server != null) {
            server.stop(0);
        }
        Scratch.deleteTree(keys);
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Before
    public void layOut() {
        paths = new RuntimePaths(scratch.root().resolve("data"), scratch.root().resolve("etc"),
                scratch.root().resolve("usr-lib"));
    }

    private String get(String host, boolean insecure) throws IOException, InterruptedException {
        HttpClient client = TlsTrust.httpClient(paths, insecure).build();
        URI uri = URI.create("https://" + host + ":" + server.getAddress().getPort() + "/");
        return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void put(Path configDir, String name, Path pem) throws IOException {
        Files.createDirectories(configDir.resolve(TlsTrust.DIRECTORY));
        Files.copy(pem, configDir.resolve(TlsTrust.DIRECTORY).resolve(name));
    }

    @Test
    public void refusesAServerTheJvmDoesNotTrust() {
        assertThrows(SSLHandshakeException.class, () -> get("localhost", false));
    }

    @Test
    public void trustsACertificateInTheLocalOrTheSystemCertsD() throws Exception {
        put(paths.localConfigDir(), "test.pem", certificate);
        assertEquals("hello", get("localhost", false));
        Files.delete(paths.localConfigDir().resolve("certs.d/test.pem"));
        put(paths.systemConfigDir(), "test.crt", certificate);
        assertEquals("hello", get("localhost", false));
    }

    @Test
    public void anEmptyLocalFileWithdrawsTheSystemFileOfItsName() throws Exception {
        put(paths.systemConfigDir(), "test.pem", certificate);
        Files.createDirectories(paths.localConfigDir().resolve("certs.d"));
        Files.createFile(paths.localConfigDir().resolve("certs.d/test.pem"));
        assertThrows(SSLHandshakeException.class, () -> get("localhost", false));
    }

    @Test
    public void readsOnlyPemAndCrtFiles() throws Exception {
        put(paths.localConfigDir(), "test.cer", certificate);
        assertThrows(SSLHandshakeException.class, () -> get("localhost", false));
    }

    @Test
    public void checksTheHostNameOfATrustedCertificate() throws Exception {
        put(paths.localConfigDir(), "test.pem", certificate);
        assertThrows(SSLHandshakeException.class, () -> get("127.0.0.1", false));
    }

    @Test
    public void insecureTlsBelievesEveryServerAndEveryName() throws Exception {
        assertEquals("hello", get("localhost", true));
        assertEquals("hello", get("127.0.0.1", true));
    }

    @Test
    public void refusesAFileThatIsNoCertificateNamingIt() throws IOException {
        Path dir = Files.createDirectories(paths.localConfigDir().resolve("certs.d"));
        Files.writeString(dir.resolve("broken.pem"), "not a certificate\n");
        BosunException e = assertThrows(BosunException.class, () -> TlsTrust.context(paths, false));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(dir.resolve("broken.pem").toString()));
    }

    @Test
    public void theExtraCertificatesAreTheFilesOfBothDirectories() throws IOException, GeneralSecurityException {
        put(paths.systemConfigDir(), "a.pem", certificate);
        put(paths.localConfigDir(), "b.crt", certificate);
        assertEquals(2, TlsTrust.extraCertificates(paths).size());
        assertEquals("CN=localhost", TlsTrust.extraCertificates(paths).get(0).getSubjectX500Principal().getName());
    }
}
