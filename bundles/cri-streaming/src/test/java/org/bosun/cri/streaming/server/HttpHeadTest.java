package org.bosun.cri.streaming.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class HttpHeadTest {

    @Test
    void readsTheHeadAndNotOneByteMore() throws IOException {
        byte[] wire = ("GET /portforward/abc?port=80,8080&port=9090 HTTP/1.1\r\nHost: x\r\n"
                + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nx-stream-protocol-version: v3.channel.k8s.io, v2.channel.k8s.io\r\n"
                + "Upgrade: SPDY/3.1\r\n\r\nFRAMES").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        HttpHead head = HttpHead.read(in);
        assertEquals("GET", head.method());
        assertEquals("/portforward/abc", head.path());
        assertEquals(List.of("80,8080", "9090"), head.query().get("port"));
        assertEquals(List.of("v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io"),
                head.values("X-Stream-Protocol-Version"));
        assertEquals("SPDY/3.1", head.header("upgrade"));
        assertEquals("FRAMES", new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void refusesWhatIsNotAnHttpRequest() {
        assertThrows(IOException.class, () -> HttpHead.read(new ByteArrayInputStream("SSH-2.0\r\n\r\n".getBytes())));
        assertThrows(IOException.class, () -> HttpHead.read(new ByteArrayInputStream("GET / HTTP/1.1\r\nHost".getBytes())));
    }
}
