package org.bosun.itest.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The token endpoint of a registry with token auth (Docker's token authentication spec): a client
 * that presents the right basic credentials gets an RS256 JWT granting the actions it asked for in
 * {@code scope}; anyone else gets 401. The registry trusts the signing certificate (made by
 * {@code openssl} at start) through {@code rootcertbundle}. Every granted scope is recorded.
 */
final class TokenService implements AutoCloseable {
    static final String SERVICE = "bosun-test-registry";
    static final String ISSUER = "bosun-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final PrivateKey key;
    private final byte[] certificate;
    private final String credentials;
    final Path certificateFile;
    final List<String> granted = Collections.synchronizedList(new ArrayList<>());

    private TokenService(HttpServer server, PrivateKey key, byte[] certificate, Path certificateFile, String credentials) {
        this.server = server;
        this.key = key;
        this.certificate = certificate;
        this.certificateFile = certificateFile;
        this.credentials = credentials;
    }

    /** Makes a key and certificate in {@code dir} and serves tokens to {@code credentials} ({@code user:secret}). */
    static TokenService start(Path dir, String credentials) throws Exception {
        Files.createDirectories(dir);
        Path keyFile = dir.resolve("token-key.pem");
        Path certFile = dir.resolve("token-cert.pem");
        OciImages.run(dir, null, List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                keyFile.toString(), "-out", certFile.toString(), "-days", "2", "-subj", "/CN=bosun-test-token"));
        String pem = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        X509Certificate cert;
        try (var in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TokenService service = new TokenService(server, key, cert.getEncoded(), certFile, credentials);
        server.createContext("/token", service::handle);
        server.start();
        return service;
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The {@code auth:} section of the registry's configuration. */
    String registryAuth() {
        return "  token: {realm: \"" + realm() + "\", service: " + SERVICE + ", issuer: " + ISSUER
                + ", rootcertbundle: " + certificateFile + "}\n";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad or no credentials\"}]}");
                return;
            }
            String service = null;
            List<String> scopes = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (name.equals("service")) {
                    service = value;
                } else if (name.equals("scope")) {
                    scopes.addAll(List.of(value.split(" ")));
                }
            }
            if (!SERVICE.equals(service)) {
                reply(exchange, 400, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"unknown service\"}]}");
                return;
            }
            String token = token(scopes);
            granted.addAll(scopes);
            reply(exchange, 200, "{\"token\":\"" + token + "\",\"expires_in\":300,\"issued_at\":\"" + Instant.now() + "\"}");
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private String token(List<String> scopes) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode().put("iss", ISSUER).put("sub", credentials.split(":")[0])
                .put("aud", SERVICE).put("exp", now + 300).put("nbf", now - 10).put("iat", now)
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            String[] parts = scope.split(":");
            if (parts.length == 3) {
                ArrayNode actions = access.addObject().put("type", parts[0]).put("name", parts[1]).putArray("actions");
                for (String action : parts[2].split(",")) {
                    actions.add(action);
                }
            }
        }
        String signingInput = base64Url(JSON.writeValueAsBytes(header)) + "." + base64Url(JSON.writeValueAsBytes(claims));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + base64Url(rsa.sign());
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
