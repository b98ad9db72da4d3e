package org.bosun.itest.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.rules.ExternalResource;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * An image publisher's web server for one test class: HTTPS on a free 127.0.0.1 port, with a
 * self-signed certificate for {@code localhost} that {@code keytool} makes for the class. It serves
 * what the test puts in it, by path and query ({@code /app?ac-discovery=1}), 404 for the rest,
 * and remembers what was asked.
 */
final class DiscoveryServer extends ExternalResource {
    private static final String PASSWORD = "changeit";
    private final Map<String, byte[]> content = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private Path dir;
    private Path certificate;
    private HttpsServer server;
    private ExecutorService executor;

    @Override
    protected void before() throws Exception {
        dir = Files.createTempDirectory("bosun-e2e-https-");
        Path keystore = dir.resolve("server.p12");
        TestImages.exec(dir, "keytool", "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype",
                "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
        certificate = dir.resolve("server.pem");
        TestImages.exec(dir, "keytool", "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-file", certificate.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", this::serve);
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.start();
    }

    @Override
    protected void after() {
        if (server != null) {
            server.stop(0);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        E2e.deleteTree(dir);
    }

    private void serve(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
        requests.add(key);
        try (exchange) {
            byte[] body = content.get(key);
            if (body == null || !exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code https://localhost:PORT} + path. */
    String url(String path) {
        return "https://localhost:" + port() + path;
    }

    /** The server's certificate, PEM: what a client must trust to talk to it. */
    Path certificate() {
        return certificate;
    }

    void put(String pathAndQuery, byte[] body) {
        content.put(pathAndQuery, body);
    }

    void put(String pathAndQuery, Path file) throws IOException {
        put(pathAndQuery, Files.readAllBytes(file));
    }

    /** What was asked so far, in order. */
    List<String> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }
}
