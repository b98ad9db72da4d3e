package org.bosun.image.docker;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLException;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.tls.TlsTrust;
import org.bosun.image.oci.model.Documents;

/**
 * One registry endpoint of the Docker Registry HTTP API v2, for one repository: GETs with the
 * accept headers a registry needs, anonymous access first, then what the {@code WWW-Authenticate}
 * challenge asks for (basic credentials, or a bearer token from the token endpoint, with the
 * credentials if there are any). Redirects (to blob storage) are followed without the
 * {@code Authorization} header, which is meant for the registry only.
 */
final class RegistryClient {
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_TOKEN_BYTES = 1 << 20;

    private final HttpClient http;
    private final URI base;
    private final String registry;
    private final String repository;
    private final RegistryCredentials.Credentials credentials;
    private final boolean plainHttpAllowed;
    private final String subject;
    // Read by the threads that download an image's layers at the same time.
    private volatile String authorization;

    /**
     * @param base {@code https://host[:port]} (or http)
     * @param registry the registry's name, for credentials and messages
     * @param repository the repository path ({@code library/busybox})
     */
    RegistryClient(HttpClient http, URI base, String registry, String repository,
            RegistryCredentials.Credentials credentials, boolean plainHttpAllowed, String subject) {
        this.http = http;
        this.base = base;
        this.registry = registry;
        this.repository = repository;
        this.credentials = credentials;
        this.plainHttpAllowed = plainHttpAllowed;
        this.subject = subject;
    }

    /**
     * An HTTP client that trusts what bosun's TLS trust says (none without verification with
     * {@code insecureTls}: --insecure-options=tls); it follows no redirect itself, {@link #get} does,
     * to keep the registry's credentials from blob storage.
     */
    static HttpClient httpClient(RuntimePaths paths, boolean insecureTls) {
        return TlsTrust.httpClient(paths, insecureTls).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    URI base() {
        return base;
    }

    /** GET {@code /v2/<repository>/<what>}; returns the 200 response, or empty on 404. */
    Optional<HttpResponse<InputStream>> get(String what, List<String> accept) {
        URI uri = URI.create(base + "/v2/" + repository + "/" + what);
        HttpResponse<InputStream> response = send(uri, accept, authorization, 0);
        if (response.statusCode() == 401) {
            Challenge challenge = Challenge.parse(response.headers().firstValue("WWW-Authenticate").orElse(null));
            discard(response);
            authorization = authorize(challenge);
            response = send(uri, accept, authorization, 0);
            if (response.statusCode() == 401) {
                discard(response);
                throw BosunException.precondition(registry + " refused " + (credentials == null ? "anonymous access"
                        : "the credentials of user " + credentials.user()) + " to " + repository + " for " + subject
                        + (credentials == null ? "; add credentials for " + registry + " in auth.d" : "; check them in auth.d"));
            }
        }
        if (response.statusCode() == 404) {
            discard(response);
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            String body = errorBody(response);
            throw BosunException.unavailable(registry + " answered HTTP " + response.statusCode() + " for " + uri
                    + (body.isEmpty() ? "" : " (" + body + ")"));
        }
        return Optional.of(response);
    }

    private HttpResponse<InputStream> send(URI uri, List<String> accept, String auth, int redirects) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET();
        if (!accept.isEmpty()) {
            request.header("Accept", String.join(", ", accept));
        }
        if (auth != null) {
            request.header("Authorization", auth);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw BosunException.unavailable("cannot reach the registry " + registry + " at " + base + " for " + subject
                    + " (connection refused)");
        } catch (HttpTimeoutException e) {
            throw BosunException.unavailable("the registry " + registry + " did not answer in time for " + subject);
        } catch (SSLException e) {
            throw BosunException.unavailable("cannot talk TLS to the registry " + registry + " at " + base + " for "
                    + subject + " (" + e.getMessage() + "); if it speaks plain HTTP, run with --insecure-options=http;"
                    + " if its certificate is not trusted, fix that or run with --insecure-options=tls");
        } catch (IOException e) {
            throw BosunException.unavailable("cannot reach the registry " + registry + " at " + base + " for " + subject
                    + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("interrupted while fetching " + subject);
        }
        int status = response.statusCode();
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            Optional<String> location = response.headers().firstValue("Location");
            discard(response);
            if (location.isEmpty() || redirects >= MAX_REDIRECTS) {
                throw BosunException.unavailable(registry + " redirected " + uri + " too often or nowhere");
            }
            URI next = RegistryAnswers.redirect(uri, location.get(), registry);
            checkScheme(next);
            // Blob storage gets no registry credentials; the registry itself keeps them.
            String nextAuth = next.getAuthority().equals(base.getAuthority()) ? auth : null;
            return send(next, accept, nextAuth, redirects + 1);
        }
        return response;
    }

    private void checkScheme(URI uri) {
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && plainHttpAllowed)) {
            throw BosunException.precondition(registry + " sends " + subject + " to " + uri
                    + ", which is not HTTPS; run with --insecure-options=http to allow plain HTTP");
        }
    }

    private String authorize(Challenge challenge) {
        if (challenge == null) {
            throw BosunException.precondition(registry + " requires authentication for " + subject
                    + " but says not how (no WWW-Authenticate)");
        }
        if (challenge.scheme().equals("basic")) {
            if (credentials == null) {
                throw BosunException.precondition(registry + " requires a user and password for " + subject
                        + "; add them for " + registry + " in auth.d (rkt's dockerAuth format)");
            }
            return basic();
        }
        if (!challenge.scheme().equals("bearer") || challenge.get("realm") == null) {
            throw BosunException.precondition(registry + " asks for the authentication '" + challenge.scheme()
                    + "', which bosun does not speak");
        }
        URI tokenUri = RegistryAnswers.tokenUri(challenge, repository, registry);
        checkScheme(tokenUri);
        String realm = challenge.get("realm");
        HttpResponse<InputStream> response = send(tokenUri, List.of("application/json"),
                credentials == null ? null : basic(), 0);
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw BosunException.precondition("the token service " + realm + " of " + registry + " refused "
                        + (credentials == null ? "anonymous access" : "user " + credentials.user()) + " for " + subject
                        + " (HTTP " + response.statusCode() + ")" + (credentials == null ? "; add credentials for "
                                + registry + " in auth.d" : "; check the credentials in auth.d"));
            }
            String token = RegistryAnswers.token(Documents.readLimited(in, MAX_TOKEN_BYTES, "the token of " + registry));
            if (token == null) {
                throw BosunException.unavailable("the token service " + realm + " of " + registry + " returned no token");
            }
            return "Bearer " + token;
        } catch (IOException e) {
            throw BosunException.unavailable("cannot read the token from " + realm + " (" + e.getMessage() + ")");
        }
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((credentials.user() + ":" + credentials.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void discard(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.skip(1 << 16);
        } catch (IOException e) {
            // the connection is dropped instead of reused
        }
    }

    /** The registry's error (JSON {@code errors[].message}), shortened, for messages. */
    private static String errorBody(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return RegistryAnswers.error(new String(in.readNBytes(4096), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }
}
