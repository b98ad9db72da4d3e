package org.bosun.cri.streaming.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** RFC 6455 framing and the Kubernetes channel prefix, checked against the RFC's own examples. */
class WebSocketFramesTest {

    @Test
    void theAcceptKeyIsTheRfcsExample() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketFrames.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void readsTheRfcsMaskedAndFragmentedExamples() throws IOException {
        // RFC 6455 section 5.7: a masked "Hello", then an unmasked fragmented "Hel" + "lo", then a ping.
        byte[] wire = {(byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58,
            0x01, 0x03, 0x48, 0x65, 0x6c, (byte) 0x80, 0x02, 0x6c, 0x6f,
            (byte) 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(wire));
        WebSocketFrames.Message hello = WebSocketFrames.read(in);
        assertEquals(WebSocketFrames.TEXT, hello.opcode());
        assertEquals("Hello", new String(hello.payload(), StandardCharsets.UTF_8));
        WebSocketFrames.Message fragmented = WebSocketFrames.read(in);
        assertEquals("Hello", new String(fragmented.payload(), StandardCharsets.UTF_8));
        WebSocketFrames.Message ping = WebSocketFrames.read(in);
        assertEquals(WebSocketFrames.PING, ping.opcode());
        assertNull(WebSocketFrames.read(in));
    }

    @Test
    void writesEachLengthEncodingAndMasksOnlyAsAClient() throws IOException {
        for (int length : new int[] {0, 125, 126, 65535, 65536, 200_000}) {
            byte[] payload = new byte[length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) (i * 31);
            }
            ByteArrayOutputStream server = new ByteArrayOutputStream();
            WebSocketFrames.write(server, WebSocketFrames.BINARY, payload, null);
            ByteArrayOutputStream client = new ByteArrayOutputStream();
            WebSocketFrames.write(client, WebSocketFrames.BINARY, payload, new byte[] {1, 2, 3, 4});
            int header = length < 126 ? 2 : length <= 65535 ? 4 : 10;
            assertEquals(header + length, server.size(), "unmasked frame of " + length);
            assertEquals(header + 4 + length, client.size(), "masked frame of " + length);
            for (ByteArrayOutputStream frame : new ByteArrayOutputStream[] {server, client}) {
                WebSocketFrames.Message m = WebSocketFrames.read(new DataInputStream(new ByteArrayInputStream(frame.toByteArray())));
                assertEquals(WebSocketFrames.BINARY, m.opcode());
                assertArrayEquals(payload, m.payload());
            }
        }
    }

    @Test
    void aCloseFrameCarriesItsCodeFirst() {
        byte[] p = WebSocketFrames.closePayload(1000, "done");
        assertEquals(0x03, p[0]);
        assertEquals((byte) 0xe8, p[1]);
        assertEquals("done", new String(p, 2, p.length - 2, StandardCharsets.UTF_8));
    }
}
