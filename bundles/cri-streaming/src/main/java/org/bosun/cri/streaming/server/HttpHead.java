package org.bosun.cri.streaming.server;

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
 * An HTTP/1.1 request head: the request line and headers, read byte by byte so that nothing after
 * the blank line is consumed (the upgraded protocol starts there). Header names are lower case.
 */
record HttpHead(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers) {
    static final int MAX_HEAD = 16 * 1024;

    static HttpHead read(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended inside the request head");
            }
            if (++total > MAX_HEAD) {
                throw new IOException("a request head larger than " + MAX_HEAD + " bytes");
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
        if (request.length != 3 || !request[2].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.1 request line: " + lines.get(0));
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String h : lines.subList(1, lines.size())) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IOException("a malformed header line: " + h);
            }
            headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).trim());
        }
        String target = request[1];
        int q = target.indexOf('?');
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        return new HttpHead(request[0], q >= 0 ? target.substring(0, q) : target, query, headers);
    }

    /** Every value of a header, comma-separated lists split, in order. */
    List<String> values(String name) {
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

    String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Answers with a plain-text error and no upgrade. */
    static void refuse(OutputStream out, int code, String reason, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Answers 101 with these headers; the socket then speaks the new protocol. */
    static void switchProtocols(OutputStream out, Map<String, String> headers) throws IOException {
        StringBuilder b = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("\r\n");
        out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
