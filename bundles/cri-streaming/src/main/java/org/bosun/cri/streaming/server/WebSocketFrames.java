package org.bosun.cri.streaming.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * RFC 6455 framing: whole messages in (fragments joined, masks removed), single unfragmented frames
 * out (masked when this end is a client, as the RFC requires of clients only).
 */
final class WebSocketFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    static final int MAX_MESSAGE = 1 << 24;
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** A message or a control frame: its opcode and payload. */
    record Message(int opcode, byte[] payload) {
    }

    private WebSocketFrames() {
    }

    /** The Sec-WebSocket-Accept answer to a client's key (RFC 6455 section 4.2.2). */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key.trim() + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    /**
     * The next whole message (control frames come back as they arrive, between fragments too), or
     * null at the end of the input.
     */
    static Message read(DataInputStream in) throws IOException {
        ByteArrayOutputStream fragments = null;
        int messageOpcode = -1;
        while (true) {
            int b0;
            try {
                b0 = in.readUnsignedByte();
            } catch (EOFException e) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if (length < 0 || length > MAX_MESSAGE) {
                throw new IOException("a WebSocket frame of " + length + " bytes");
            }
            byte[] mask = new byte[4];
            if (masked) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            if (opcode >= CLOSE) {
                return new Message(opcode, payload);
            }
            if (opcode != CONTINUATION) {
                messageOpcode = opcode;
                fragments = new ByteArrayOutputStream();
            } else if (fragments == null) {
                throw new IOException("a WebSocket continuation frame without a message");
            }
            fragments.writeBytes(payload);
            if (fragments.size() > MAX_MESSAGE) {
                throw new IOException("a WebSocket message larger than " + MAX_MESSAGE + " bytes");
            }
            if (fin) {
                return new Message(messageOpcode, fragments.toByteArray());
            }
        }
    }

    /** Writes one final frame; {@code mask} is the client's masking key, or null for a server. */
    static void write(OutputStream out, int opcode, byte[] payload, byte[] mask) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(0x80 | opcode);
        int maskBit = mask == null ? 0 : 0x80;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length <= 0xffff) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(maskBit | 127);
            long len = payload.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) (len >>> shift));
            }
        }
        if (mask == null) {
            f.writeBytes(payload);
        } else {
            f.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
        }
        f.writeTo(out);
    }

    /** A close frame's payload: the status code, then a reason. */
    static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + Math.min(r.length, 120)];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, p.length - 2);
        return p;
    }
}
