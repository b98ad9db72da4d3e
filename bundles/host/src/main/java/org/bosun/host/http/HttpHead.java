package org.bosun.host.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1 request head: the request line and headers, read byte by byte so that nothing after the
 * blank line is consumed (a body, or the protocol an upgraded connection speaks, starts there); and
 * the heads of the answers a server that reads one gives.
 *
 * @param method the request's method, as sent
 * @param path the request target before any {@code ?}
 * @param query the query's parameters, decoded, each with its values in order
 * @param headers the headers, names in lower case, each with its values in order
 */
public record HttpHead(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers) {

    /**
     * Reads a request head to its blank line (CRLF or LF line ends), and not a byte further.
     *
     * @param maxBytes the largest head accepted, its blank line included
     * @throws IOException for a connection that ends inside the head, a head larger than
     *         {@code maxBytes}, a request line that is not {@code METHOD TARGET HTTP/1.x}, a header
     *         line without a name, or a query that is not URL-encoded
     */
    public static HttpHead read(InputStream in, int maxBytes) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended inside the request head");
            }
            if (++total > maxBytes) {
                throw new IOException("a request head larger than " + maxBytes + " bytes");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                line.reset();
                if (s.endsWith("\r")) {
                    s = s.substring(0, s.length() - 1);
                }
                if (s.isEmpty()) {
                    break;
                }
                lines.add(s);
            } else {
                line.write(b);
            }
        }
        if (lines.isEmpty()) {
            throw new IOException("an empty request");
        }
        String[] request = lines.get(0).split(" ");
        if (request.length != 3 || request[0].isEmpty() || request[1].isEmpty() || !request[2].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1 request line: '" + lines.get(0) + "'");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h : lines.subList(1, lines.size())) {
            int colon = h.indexOf(':');
            // A field name is a token (RFC 9110 5.1), with nothing between it and its colon (5.6.2): trimming
            // one would take control characters for nothing and give two names that differ to one key.
            if (colon <= 0 || !isToken(h, colon)) {
                throw new IOException("a malformed header line: '" + h + "'");
            }
            headers.computeIfAbsent(h.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        String target = request[1];
        int q = target.indexOf('?');
        return new HttpHead(request[0], q >= 0 ? target.substring(0, q) : target,
                q >= 0 ? query(target.substring(q + 1)) : new LinkedHashMap<>(), headers);
    }

    private static Map<String, List<String>> query(String query) throws IOException {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                parameters.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            } catch (IllegalArgumentException e) {
                throw new IOException("a malformed query parameter: '" + pair + "'");
            }
        }
        return parameters;
    }

    /** Every value of a header, comma-separated lists split, in order. */
    public List<String> values(String name) {
        List<String> all = new ArrayList<>();
        for (String v : headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of())) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    all.add(part.trim());
                }
            }
        }
        return all;
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /**
     * Writes a whole answer after which the connection closes: the status line, Content-Type,
     * Content-Length, {@code Connection: close}, the other headers, then the body.
     */
    public static void answer(OutputStream out, int status, String reason, String contentType, byte[] body,
            Map<String, String> headers) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason)
                .append("\r\nContent-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length)
                .append("\r\nConnection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Answers with a plain-text error, one line, and no upgrade. */
    public static void refuse(OutputStream out, int status, String reason, String message) throws IOException {
        answer(out, status, reason, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    /** Answers 101 with these headers; the connection then speaks the new protocol. */
    public static void switchProtocols(OutputStream out, Map<String, String> headers) throws IOException {
        StringBuilder b = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("\r\n");
        out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Whether {@code s}'s first {@code end} characters are an RFC 9110 token: tchar, at least one. */
    static boolean isToken(String s, int end) {
        if (end <= 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean tchar = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }
}
