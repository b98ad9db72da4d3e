package org.bosun.image.appc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.SSLException;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.Progress;
import org.bosun.host.archive.PassingStream;
import org.bosun.host.tls.TlsTrust;

/**
 * Downloads over HTTPS (and plain HTTP only when the user allowed it), with the certificate
 * authorities of {@link TlsTrust}. Redirects are followed, but never from HTTPS down to HTTP.
 */
final class HttpSource {
    private final HttpClient http;
    private final boolean plainHttp;
    private final String insecureFlag;

    /**
     * @param insecureTls accept any certificate ({@code --insecure-options=tls}, or {@code pubkey} for keys)
     * @param plainHttp accept {@code http://} URLs ({@code --insecure-options=http}, or {@code pubkey} for keys)
     * @param insecureFlag the option that messages name as the way to accept plain HTTP
     */
    HttpSource(RuntimePaths paths, boolean insecureTls, boolean plainHttp, String insecureFlag) {
        this.http = TlsTrust.httpClient(paths, insecureTls).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.plainHttp = plainHttp;
        this.insecureFlag = insecureFlag;
    }

    boolean allowsPlainHttp() {
        return plainHttp;
    }

    /** A response body being read. */
    record Body(URI uri, InputStream stream, long length) implements AutoCloseable {
        @Override
        public void close() {
            try {
                stream.close();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        }
    }

    /** GET {@code uri}: the body of a 2xx answer, or empty for a 4xx one; anything else is refused. */
    Optional<Body> get(URI uri, String subject) {
        checkScheme(uri, subject);
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET()
                    .header("User-Agent", "bosun").build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw BosunException.unavailable("cannot reach " + authority(uri) + " for " + subject + " (connection refused)");
        } catch (HttpTimeoutException e) {
            throw BosunException.unavailable(authority(uri) + " did not answer in time for " + subject);
        } catch (SSLException e) {
            throw BosunException.unavailable("cannot talk TLS to " + authority(uri) + " for " + subject + " ("
                    + rootReason(e) + "); if its certificate is right, put its CA in " + TlsTrust.DIRECTORY
                    + "/ under the local configuration, or run with --insecure-options=tls");
        } catch (IOException e) {
            throw BosunException.unavailable("cannot reach " + authority(uri) + " for " + subject + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("interrupted while fetching " + subject);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            // The final URL after redirects must still be one the user allowed.
            checkScheme(response.uri(), subject);
            return Optional.of(new Body(response.uri(), response.body(),
                    response.headers().firstValueAsLong("Content-Length").orElse(-1)));
        }
        discard(response.body());
        if (status / 100 == 4) {
            return Optional.empty();
        }
        throw BosunException.unavailable(authority(uri) + " answered HTTP " + status + " for " + uri + " (" + subject + ")");
    }

    /** The body of {@code uri} as text, at most {@code max} bytes; empty for a 4xx answer. */
    Optional<String> text(URI uri, String subject, int max) {
        return get(uri, subject).map(body -> {
            try (body) {
                return new String(readLimited(body, subject, max), StandardCharsets.UTF_8);
            }
        });
    }

    /** The body of {@code uri}, at most {@code max} bytes; a 4xx answer is refused as not found. */
    byte[] bytes(URI uri, String subject, int max) {
        try (Body body = get(uri, subject).orElseThrow(() -> notFound(uri, subject))) {
            return readLimited(body, subject, max);
        }
    }

    /** What reads a download as it arrives. */
    @FunctionalInterface
    interface Reader<R> {
        /** Reads {@code in} to its end. */
        R read(InputStream in) throws IOException;
    }

    /**
     * Downloads {@code uri}: its body is copied into {@code out} while {@code reader} reads it, in one
     * pass (a fetch checks an image as it arrives); progress is reported as {@code label}.
     */
    <R> R download(URI uri, String subject, OutputStream out, Progress progress, String label, Reader<R> reader) {
        try (Body body = get(uri, subject).orElseThrow(() -> notFound(uri, subject));
                Progress.Task task = progress.task(label, body.length())) {
            PassingStream passing = new PassingStream(body.stream(), out, task::advance);
            R result = reader.read(passing);
            passing.transferTo(OutputStream.nullOutputStream()); // what the reader left is the blob's too
            if (body.length() >= 0 && passing.count() != body.length()) {
                throw BosunException.unavailable("the download of " + uri + " for " + subject + " ended after "
                        + passing.count() + " of " + body.length() + " bytes; try again");
            }
            return result;
        } catch (IOException e) {
            throw BosunException.unavailable("the download of " + uri + " for " + subject + " failed (" + e.getMessage()
                    + "); try again");
        }
    }

    private byte[] readLimited(Body body, String subject, int max) {
        try {
            byte[] data = body.stream().readNBytes(max + 1);
            if (data.length > max) {
                throw BosunException.invalid(body.uri() + " (" + subject + ") is larger than " + max + " bytes; refused");
            }
            return data;
        } catch (IOException e) {
            throw BosunException.unavailable("reading " + body.uri() + " for " + subject + " failed (" + e.getMessage()
                    + "); try again");
        }
    }

    private void checkScheme(URI uri, String subject) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https") || (scheme.equals("http") && plainHttp)) {
            return;
        }
        if (scheme.equals("http")) {
            throw BosunException.invalid(subject + " would be fetched over plain HTTP from " + uri + "; run with "
                    + "--insecure-options=" + insecureFlag + " to allow that");
        }
        throw BosunException.invalid(subject + " points to " + uri + "; bosun fetches over https:// only");
    }

    private static BosunException notFound(URI uri, String subject) {
        return BosunException.notFound((subject.endsWith(uri.toString()) ? subject : subject + " (" + uri + ")")
                + " does not exist on the server");
    }

    /** The innermost cause's message, without the class names the JDK puts in front of it. */
    private static String rootReason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? e.getMessage() : root.getMessage();
        return message == null ? "handshake failed" : message.replaceAll("(?:[a-z]+\\.)+[A-Za-z]+(?:Exception|Error): ", "");
    }

    private static String authority(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    private static void discard(InputStream body) {
        try (body) {
            body.transferTo(AciArchive.OutputNull.INSTANCE);
        } catch (IOException ignored) {
            // nothing to keep
        }
    }
}
