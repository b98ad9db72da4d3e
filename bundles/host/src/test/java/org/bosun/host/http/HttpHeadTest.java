package org.bosun.host.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * What the CRI streaming server (upgrades, a 16 KiB head) and the metadata service's registration
 * socket (bodiless requests, an 8 KiB head) need of one request head reader.
 */
class HttpHeadTest {

    @Test
    void readsTheHeadAndNotOneByteMore() throws IOException {
        byte[] wire = ("GET /portforward/abc?port=80,8080&port=9090 HTTP/1.1\r\nHost: x\r\n"
                + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nx-stream-protocol-version: v3.channel.k8s.io, v2.channel.k8s.io\r\n"
                + "Upgrade: SPDY/3.1\r\n\r\nFRAMES").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        HttpHead head = HttpHead.read(in, 16 * 1024);
        assertEquals("GET", head.method());
        assertEquals("/portforward/abc", head.path());
        assertEquals(List.of("80,8080", "9090"), head.query().get("port"));
        assertEquals(List.of("v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io"),
                head.values("X-Stream-Protocol-Version"));
        assertEquals("SPDY/3.1", head.header("upgrade"));
        assertNull(head.header("content-length"));
        assertEquals("FRAMES", new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void anHttp10RequestWithBareLineFeedsAndABodyLeavesTheBodyUnread() throws IOException {
        InputStream in = stream("PUT /pods/11111111-2222-4333-8444-555555555555 HTTP/1.0\nContent-Length: 3\n\nabc");
        HttpHead head = HttpHead.read(in, 8 * 1024);
        assertEquals("PUT", head.method());
        assertEquals("/pods/11111111-2222-4333-8444-555555555555", head.path());
        assertEquals(Map.of(), head.query());
        assertEquals("3", head.header("Content-Length"));
        assertEquals("abc", new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void refusesWhatIsNotAnHttp1RequestLineAndSaysWhichLine() {
        assertRefused("not an HTTP/1 request line: 'SSH-2.0-OpenSSH_9.2'", "SSH-2.0-OpenSSH_9.2\r\n\r\n");
        assertRefused("not an HTTP/1 request line: 'hello'", "hello\r\n\r\n");
        assertRefused("not an HTTP/1 request line: 'GET /'", "GET /\r\n\r\n");
        assertRefused("not an HTTP/1 request line: 'GET  / HTTP/1.1'", "GET  / HTTP/1.1\r\n\r\n");
        assertRefused("not an HTTP/1 request line: 'PRI * HTTP/2.0'", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        assertRefused("not an HTTP/1 request line: ' / HTTP/1.1'", " / HTTP/1.1\r\n\r\n");
        assertRefused("not an HTTP/1 request line: 'GET  HTTP/1.1'", "GET  HTTP/1.1\r\n\r\n");
        assertRefused("an empty request", "\r\n");
        assertRefused("a malformed header line: 'Host'", "GET / HTTP/1.1\r\nHost\r\n\r\n");
        assertRefused("a malformed header line: ': x'", "GET / HTTP/1.1\r\n: x\r\n\r\n");
        assertRefused("a malformed header line: ' : x'", "GET / HTTP/1.1\r\n : x\r\n\r\n");
        // a name is a token, with nothing before its colon: no space, no control character (the fuzz
        // target found a name of control characters only, which trimming made empty)
        assertRefused("a malformed header line: 'Host : x'", "GET / HTTP/1.1\r\nHost : x\r\n\r\n");
        assertRefused("a malformed header line: '\u0001\u0000\u0003:'", "GET / HTTP/1.1\r\n\u0001\u0000\u0003:\r\n\r\n");
        assertRefused("a malformed header line: 'X(y): z'", "GET / HTTP/1.1\r\nX(y): z\r\n\r\n");
        assertRefused("a malformed query parameter: 'port=%zz'", "GET /portforward/a?port=%zz HTTP/1.1\r\n\r\n");
    }

    @Test
    void refusesAHeadThatEndsBeforeItsBlankLine() {
        assertRefused("the connection ended inside the request head", "GET / HTTP/1.1\r\nHost");
        assertRefused("the connection ended inside the request head", "GET / HTTP/1.1\r\nHost: x\r\n");
        assertRefused("the connection ended inside the request head", "");
    }

    @Test
    void aHeadUpToTheLimitIsReadAndOneByteMoreIsRefused() throws IOException {
        for (int limit : new int[] {8 * 1024, 16 * 1024}) {
            String start = "GET / HTTP/1.1\r\nX-Padding: ";
            String exact = start + "p".repeat(limit - start.length() - 4) + "\r\n\r\n";
            assertEquals(limit, exact.length());
            assertEquals(limit - start.length() - 4, HttpHead.read(stream(exact + "next"), limit).header("x-padding")
                    .length());
            String over = start + "p".repeat(limit - start.length() - 3) + "\r\n\r\n";
            IOException e = assertThrows(IOException.class, () -> HttpHead.read(stream(over), limit));
            assertEquals("a request head larger than " + limit + " bytes", e.getMessage());
        }
        // the limit holds without a line end: an endless first line is not read to its end
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'G';
            }
        };
        assertEquals("a request head larger than 8192 bytes",
                assertThrows(IOException.class, () -> HttpHead.read(endless, 8 * 1024)).getMessage());
    }

    @Test
    void anAnswerIsAWholeResponseThatClosesTheConnection() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Allow", "PUT, DELETE");
        HttpHead.answer(out, 405, "Method Not Allowed", "application/json", "{}".getBytes(StandardCharsets.UTF_8),
                headers);
        assertEquals("HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Connection: close\r\nAllow: PUT, DELETE\r\n\r\n{}", out.toString(StandardCharsets.ISO_8859_1));

        out.reset();
        HttpHead.refuse(out, 404, "Not Found", "unknown URL \u00e9");
        assertEquals("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 15\r\n"
                + "Connection: close\r\n\r\nunknown URL \u00e9\n", out.toString(StandardCharsets.UTF_8));

        out.reset();
        HttpHead.switchProtocols(out, Map.of("Upgrade", "SPDY/3.1"));
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: SPDY/3.1\r\n\r\n",
                out.toString(StandardCharsets.ISO_8859_1));
    }

    private static void assertRefused(String message, String wire) {
        IOException e = assertThrows(IOException.class, () -> HttpHead.read(stream(wire), 16 * 1024), wire);
        assertEquals(message, e.getMessage());
    }

    private static InputStream stream(String wire) {
        return new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1));
    }
}
