package org.bosun.cri.streaming.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Reads and writes SPDY/3.1 frames on one connection. Each direction's header blocks are one zlib
 * stream for the whole connection, primed with the draft's dictionary ({@link SpdyDictionary}) and
 * flushed (SYNC_FLUSH) after each block, so this object belongs to one connection and its reader
 * and writer each use their own half. Writes are not synchronised here: the connection serialises them.
 */
final class SpdyCodec implements AutoCloseable {
    static final int VERSION = 3;
    static final int SYN_STREAM = 1;
    static final int SYN_REPLY = 2;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PING = 6;
    static final int GOAWAY = 7;
    static final int HEADERS = 8;
    static final int WINDOW_UPDATE = 9;
    /** Frames larger than this are refused: the peers of the streaming protocols send far smaller ones. */
    static final int MAX_LENGTH = 1 << 24;
    private static final int MAX_HEADER_BLOCK = 1 << 20;

    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    private final Inflater inflater = new Inflater();

    SpdyCodec() {
        deflater.setDictionary(SpdyDictionary.bytes());
    }

    /** The next frame, or null at a clean end of the input (between frames). Unknown control frames are skipped. */
    SpdyFrame read(DataInputStream in) throws IOException {
        while (true) {
            int first;
            try {
                first = in.readInt();
            } catch (EOFException e) {
                return null;
            }
            int second = in.readInt();
            int flags = second >>> 24;
            int length = second & 0xffffff;
            byte[] body = new byte[length];
            in.readFully(body);
            if (first >= 0) {
                return new SpdyFrame.Data(first & 0x7fffffff, (flags & SpdyFrame.FLAG_FIN) != 0, body);
            }
            int version = (first >>> 16) & 0x7fff;
            int type = first & 0xffff;
            if (version != VERSION) {
                throw new IOException("SPDY version " + version + " is not 3");
            }
            SpdyFrame frame = control(type, flags, ByteBuffer.wrap(body));
            if (frame != null) {
                return frame;
            }
        }
    }

    private SpdyFrame control(int type, int flags, ByteBuffer b) throws IOException {
        boolean fin = (flags & SpdyFrame.FLAG_FIN) != 0;
        switch (type) {
            case SYN_STREAM: {
                int id = b.getInt() & 0x7fffffff;
                int associated = b.getInt() & 0x7fffffff;
                int priority = (b.get() & 0xff) >>> 5;
                b.get(); // slot
                return new SpdyFrame.SynStream(id, associated, priority, fin, (flags & SpdyFrame.FLAG_UNIDIRECTIONAL) != 0,
                        inflate(b));
            }
            case SYN_REPLY:
                return new SpdyFrame.SynReply(b.getInt() & 0x7fffffff, fin, inflate(b));
            case HEADERS:
                return new SpdyFrame.Headers(b.getInt() & 0x7fffffff, fin, inflate(b));
            case RST_STREAM:
                return new SpdyFrame.RstStream(b.getInt() & 0x7fffffff, b.getInt());
            case SETTINGS: {
                int n = b.getInt();
                Map<Integer, Integer> values = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    int idFlags = b.getInt();
                    values.put(idFlags & 0xffffff, b.getInt());
                }
                return new SpdyFrame.Settings(values);
            }
            case PING:
                return new SpdyFrame.Ping(b.getInt());
            case GOAWAY:
                return new SpdyFrame.GoAway(b.getInt() & 0x7fffffff, b.remaining() >= 4 ? b.getInt() : 0);
            case WINDOW_UPDATE:
                return new SpdyFrame.WindowUpdate(b.getInt() & 0x7fffffff, b.getInt() & 0x7fffffff);
            default:
                return null;
        }
    }

    void write(OutputStream out, SpdyFrame frame) throws IOException {
        ByteBuffer b;
        if (frame instanceof SpdyFrame.Data d) {
            b = ByteBuffer.allocate(8 + d.data().length);
            b.putInt(d.streamId() & 0x7fffffff);
            b.putInt(((d.fin() ? SpdyFrame.FLAG_FIN : 0) << 24) | d.data().length);
            b.put(d.data());
        } else if (frame instanceof SpdyFrame.SynStream s) {
            byte[] block = deflate(s.headers());
            int flags = (s.fin() ? SpdyFrame.FLAG_FIN : 0) | (s.unidirectional() ? SpdyFrame.FLAG_UNIDIRECTIONAL : 0);
            b = header(SYN_STREAM, flags, 10 + block.length);
            b.putInt(s.streamId()).putInt(s.associatedId()).put((byte) (s.priority() << 5)).put((byte) 0).put(block);
        } else if (frame instanceof SpdyFrame.SynReply s) {
            byte[] block = deflate(s.headers());
            b = header(SYN_REPLY, s.fin() ? SpdyFrame.FLAG_FIN : 0, 4 + block.length);
            b.putInt(s.streamId()).put(block);
        } else if (frame instanceof SpdyFrame.Headers s) {
            byte[] block = deflate(s.headers());
            b = header(HEADERS, s.fin() ? SpdyFrame.FLAG_FIN : 0, 4 + block.length);
            b.putInt(s.streamId()).put(block);
        } else if (frame instanceof SpdyFrame.RstStream r) {
            b = header(RST_STREAM, 0, 8).putInt(r.streamId()).putInt(r.status());
        } else if (frame instanceof SpdyFrame.Settings s) {
            b = header(SETTINGS, 0, 4 + 8 * s.values().size()).putInt(s.values().size());
            for (Map.Entry<Integer, Integer> e : s.values().entrySet()) {
                b.putInt(e.getKey() & 0xffffff).putInt(e.getValue());
            }
        } else if (frame instanceof SpdyFrame.Ping p) {
            b = header(PING, 0, 4).putInt(p.id());
        } else if (frame instanceof SpdyFrame.GoAway g) {
            b = header(GOAWAY, 0, 8).putInt(g.lastGoodStreamId()).putInt(g.status());
        } else if (frame instanceof SpdyFrame.WindowUpdate w) {
            b = header(WINDOW_UPDATE, 0, 8).putInt(w.streamId()).putInt(w.delta());
        } else {
            throw new IllegalArgumentException("unknown frame " + frame);
        }
        out.write(b.array(), 0, b.position());
    }

    private static ByteBuffer header(int type, int flags, int length) {
        ByteBuffer b = ByteBuffer.allocate(8 + length);
        b.putInt(0x80000000 | (VERSION << 16) | type);
        b.putInt((flags << 24) | length);
        return b;
    }

    /** The name/value block: a count, then each name and its values joined by NUL, all lengths 32 bits. */
    private byte[] deflate(Map<String, List<String>> headers) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        writeInt(raw, headers.size());
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            byte[] name = e.getKey().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
            byte[] value = String.join("\0", e.getValue()).getBytes(StandardCharsets.UTF_8);
            writeInt(raw, name.length);
            raw.writeBytes(name);
            writeInt(raw, value.length);
            raw.writeBytes(value);
        }
        deflater.setInput(raw.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        return out.toByteArray();
    }

    private Map<String, List<String>> inflate(ByteBuffer b) throws IOException {
        byte[] in = new byte[b.remaining()];
        b.get(in);
        inflater.setInput(in);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (true) {
                int n = inflater.inflate(buf);
                if (n == 0) {
                    if (inflater.needsDictionary()) {
                        inflater.setDictionary(SpdyDictionary.bytes());
                        continue;
                    }
                    if (inflater.needsInput() || inflater.finished()) {
                        break;
                    }
                }
                raw.write(buf, 0, n);
                if (raw.size() > MAX_HEADER_BLOCK) {
                    throw new IOException("a SPDY header block larger than " + MAX_HEADER_BLOCK + " bytes");
                }
            }
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IOException("a SPDY header block that does not decompress: " + e.getMessage(), e);
        }
        ByteBuffer block = ByteBuffer.wrap(raw.toByteArray());
        try {
            int count = block.getInt();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = string(block).toLowerCase(Locale.ROOT);
                String value = string(block);
                List<String> values = new ArrayList<>();
                Collections.addAll(values, value.split("\0", -1));
                headers.merge(name, values, (a, c) -> {
                    List<String> all = new ArrayList<>(a);
                    all.addAll(c);
                    return all;
                });
            }
            return headers;
        } catch (RuntimeException e) {
            throw new IOException("a SPDY header block that ends early", e);
        }
    }

    private static String string(ByteBuffer b) {
        int n = b.getInt();
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    @Override
    public void close() {
        deflater.end();
        inflater.end();
    }
}
