package org.bosun.host.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;

/**
 * Which TLS servers bosun believes: the JVM's certificate authorities plus the PEM certificates in
 * {@code certs.d/*.pem} and {@code certs.d/*.crt} of the system and the local configuration
 * directory (a company CA, or a test server's self-signed certificate). Read by every command, in
 * the agent and in-process alike, and by every bundle that talks TLS (appc discovery and fetches,
 * Docker registries), so all of them trust the same servers. Host names are always checked; only
 * {@code --insecure-options=tls} turns verification off.
 */
public final class TlsTrust {
    /** The configuration directory of the extra certificates. */
    public static final String DIRECTORY = "certs.d";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private TlsTrust() {
    }

    /**
     * An HTTP client for one fetch, with the connect timeout every fetch uses and {@link #context};
     * the caller chooses how redirects are followed.
     */
    public static HttpClient.Builder httpClient(RuntimePaths paths, boolean insecure) {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).sslContext(context(paths, insecure));
    }

    /** The context for one fetch: verifying, or (with {@code insecure}) believing every server. */
    public static SSLContext context(RuntimePaths paths, boolean insecure) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManager manager = insecure ? new TrustingEverything() : verifying(extraCertificates(paths));
            context.init(null, new TrustManager[] {manager}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw BosunException.internal("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** The certificates of {@code certs.d}, system first; a local file replaces the system file of its name. */
    static List<X509Certificate> extraCertificates(RuntimePaths paths) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Path file : ConfigFolder.of(paths, DIRECTORY).byName("*.{pem,crt}").values()) {
            certificates.addAll(read(file));
        }
        return certificates;
    }

    private static List<X509Certificate> read(Path file) {
        if (isEmpty(file)) {
            return List.of(); // an empty local file withdraws the system file of that name
        }
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> result = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                result.add((X509Certificate) c);
            }
            if (result.isEmpty()) {
                throw BosunException.invalid("certificate file " + file + " holds no certificate; put PEM"
                        + " certificates (-----BEGIN CERTIFICATE-----) in " + DIRECTORY);
            }
            return result;
        } catch (CertificateException e) {
            throw BosunException.invalid("certificate file " + file + " is not a PEM certificate (" + e.getMessage()
                    + "); fix or remove it");
        } catch (IOException e) {
            throw BosunException.precondition("cannot read certificate file " + file + " (" + e.getMessage() + ")");
        }
    }

    private static boolean isEmpty(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** PKIX over the JVM's authorities and {@code extra}: one trust manager, host names checked by the JDK. */
    private static TrustManager verifying(List<X509Certificate> extra) throws GeneralSecurityException {
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        if (extra.isEmpty()) {
            return defaults.getTrustManagers()[0];
        }
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            anchors.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int n = 0;
        for (TrustManager m : defaults.getTrustManagers()) {
            if (m instanceof X509TrustManager x509) {
                for (X509Certificate c : x509.getAcceptedIssuers()) {
                    anchors.setCertificateEntry("jvm-" + n++, c);
                }
            }
        }
        for (X509Certificate c : extra) {
            anchors.setCertificateEntry("bosun-" + n++, c);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(anchors);
        return factory.getTrustManagers()[0];
    }

    /** {@code --insecure-options=tls}: no chain and no host name check. */
    private static final class TrustingEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
