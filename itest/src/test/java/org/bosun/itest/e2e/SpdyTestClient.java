package org.bosun.itest.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyVersion;

/**
 * A SPDY/3.1 client of the streaming server as kubelet's clients speak it (the HTTP upgrade with
 * X-Stream-Protocol-Version, streams named by their streamtype header), its framing done by an
 * implementation independent of bosun's: netty's SPDY codec.
 */
final class SpdyTestClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    private int nextId = 1;
    /** What each stream received, and which have ended. */
    final Map<Integer, ByteArrayOutputStream> received = new LinkedHashMap<>();
    final Map<Integer, Boolean> finished = new LinkedHashMap<>();

    /** Connects and upgrades; fails with the server's answer when it refuses. */
    SpdyTestClient(URI url, String protocol) throws IOException {
        socket = new Socket(url.getHost(), url.getPort());
        socket.setSoTimeout((int) Duration.ofSeconds(60).toMillis());
        in = socket.getInputStream();
        out = socket.getOutputStream();
        out.write(("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: " + protocol
                + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead();
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + head);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    int open(Map<String, String> headers) throws IOException {
        int id = nextId;
        nextId += 2;
        DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
        headers.forEach((k, v) -> syn.headers().add(k.toLowerCase(), v));
        send(syn);
        received.put(id, new ByteArrayOutputStream());
        return id;
    }

    void write(int stream, String data, boolean fin) throws IOException {
        DefaultSpdyDataFrame frame = new DefaultSpdyDataFrame(stream, Unpooled.wrappedBuffer(data.getBytes(StandardCharsets.UTF_8)));
        frame.setLast(fin);
        send(frame);
    }

    private void send(Object frame) throws IOException {
        codec.writeOutbound(frame);
        Object o;
        while ((o = codec.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.write(bytes);
        }
        out.flush();
    }

    /** Reads frames until the server says goodbye or closes; answers the server's GOAWAY was seen. */
    boolean readToEnd() throws IOException {
        byte[] buf = new byte[16384];
        int n;
        while ((n = in.read(buf)) >= 0) {
            codec.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
            Object f;
            while ((f = codec.readInbound()) != null) {
                if (f instanceof SpdyDataFrame d) {
                    byte[] data = new byte[d.content().readableBytes()];
                    d.content().readBytes(data);
                    received.computeIfAbsent(d.streamId(), k -> new ByteArrayOutputStream()).writeBytes(data);
                    if (d.isLast()) {
                        finished.put(d.streamId(), true);
                    }
                    d.release();
                } else if (f instanceof SpdyGoAwayFrame) {
                    return true;
                }
            }
        }
        return false;
    }

    String text(int stream) {
        return received.get(stream).toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        codec.finishAndReleaseAll();
    }
}
