package org.bosun.cri.streaming.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;

/**
 * The SPDY/3.1 framing against an independent implementation (netty's SPDY codec): frames netty
 * writes are read here, frames written here are read by netty, header blocks included, so the
 * zlib dictionary and the shared compression context are checked byte for byte by a second zlib peer.
 */
class SpdyCodecTest {

    @Test
    void readsTheSynStreamsOfAnotherImplementationWithTheirCompressedHeaders() throws IOException {
        EmbeddedChannel netty = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        DefaultSpdySynStreamFrame error = new DefaultSpdySynStreamFrame(1, 0, (byte) 0);
        error.headers().add("streamtype", "error");
        DefaultSpdySynStreamFrame stdin = new DefaultSpdySynStreamFrame(3, 0, (byte) 2);
        stdin.headers().add("streamtype", "stdin");
        stdin.headers().add("port", "8080");
        stdin.headers().add("port", "9090");
        stdin.setLast(true);
        netty.writeOutbound(error, stdin, new DefaultSpdyDataFrame(3, Unpooled.wrappedBuffer("hi".getBytes())));

        DataInputStream in = new DataInputStream(new ByteArrayInputStream(outbound(netty)));
        SpdyCodec codec = new SpdyCodec();
        SpdyFrame.SynStream first = assertInstanceOf(SpdyFrame.SynStream.class, codec.read(in));
        assertEquals(1, first.streamId());
        assertEquals(Map.of("streamtype", List.of("error")), first.headers());
        SpdyFrame.SynStream second = assertInstanceOf(SpdyFrame.SynStream.class, codec.read(in));
        assertEquals(3, second.streamId());
        assertEquals(2, second.priority());
        assertTrue(second.fin());
        assertEquals(List.of("8080", "9090"), second.headers().get("port"));
        assertEquals("stdin", second.header("streamtype"));
        SpdyFrame.Data data = assertInstanceOf(SpdyFrame.Data.class, codec.read(in));
        assertArrayEquals("hi".getBytes(), data.data());
        assertNull(codec.read(in), "a clean end between frames");
    }

    @Test
    void writesFramesAnotherImplementationReads() throws IOException {
        SpdyCodec codec = new SpdyCodec();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.write(out, new SpdyFrame.SynReply(1, false, Map.of()));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("streamtype", List.of("data"));
        headers.put("requestid", List.of("0"));
        codec.write(out, new SpdyFrame.SynStream(2, 0, 3, false, true, headers));
        codec.write(out, new SpdyFrame.SynReply(3, true, Map.of("x-two", List.of("a", "b"))));
        codec.write(out, new SpdyFrame.Data(1, true, "exit".getBytes(StandardCharsets.UTF_8)));
        codec.write(out, new SpdyFrame.RstStream(5, SpdyFrame.RstStream.CANCEL));
        codec.write(out, new SpdyFrame.Settings(Map.of(7, 65536)));
        codec.write(out, new SpdyFrame.Ping(2));
        codec.write(out, new SpdyFrame.WindowUpdate(1, 1000));
        codec.write(out, new SpdyFrame.GoAway(3, 0));

        EmbeddedChannel netty = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        netty.writeInbound(Unpooled.wrappedBuffer(out.toByteArray()));
        SpdySynReplyFrame reply = assertInstanceOf(SpdySynReplyFrame.class, netty.readInbound());
        assertEquals(1, reply.streamId());
        assertTrue(reply.headers().isEmpty());
        SpdySynStreamFrame syn = assertInstanceOf(SpdySynStreamFrame.class, netty.readInbound());
        assertEquals(2, syn.streamId());
        assertEquals(3, syn.priority());
        assertTrue(syn.isUnidirectional());
        assertEquals("data", syn.headers().getAsString("streamtype"));
        assertEquals("0", syn.headers().getAsString("requestid"));
        SpdySynReplyFrame twoValues = assertInstanceOf(SpdySynReplyFrame.class, netty.readInbound());
        assertTrue(twoValues.isLast());
        assertEquals(List.of("a", "b"), twoValues.headers().getAllAsString("x-two"));
        SpdyDataFrame data = assertInstanceOf(SpdyDataFrame.class, netty.readInbound());
        assertTrue(data.isLast());
        assertEquals("exit", data.content().toString(StandardCharsets.UTF_8));
        data.release();
        assertEquals(5, assertInstanceOf(SpdyRstStreamFrame.class, netty.readInbound()).status().code());
        assertEquals(65536, assertInstanceOf(SpdySettingsFrame.class, netty.readInbound()).getValue(7));
        assertEquals(2, assertInstanceOf(SpdyPingFrame.class, netty.readInbound()).id());
        assertEquals(1000, assertInstanceOf(SpdyWindowUpdateFrame.class, netty.readInbound()).deltaWindowSize());
        assertEquals(3, assertInstanceOf(SpdyGoAwayFrame.class, netty.readInbound()).lastGoodStreamId());
        assertNull(netty.readInbound(), "no frame left over");
    }

    @Test
    void headerBlocksRoundTripThroughOneCompressionContext() throws IOException {
        SpdyCodec writer = new SpdyCodec();
        SpdyCodec reader = new SpdyCodec();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Map<String, List<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Map<String, List<String>> h = Map.of("streamtype", List.of(i % 2 == 0 ? "error" : "data"), "port",
                    List.of(Integer.toString(8000 + i)), "requestid", List.of(Integer.toString(i)));
            sent.add(h);
            writer.write(out, new SpdyFrame.SynStream(2 * i + 1, 0, 0, false, false, h));
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(out.toByteArray()));
        for (Map<String, List<String>> h : sent) {
            assertEquals(h, assertInstanceOf(SpdyFrame.SynStream.class, reader.read(in)).headers());
        }
    }

    @Test
    void refusesAnotherVersionAndAGarbledHeaderBlock() {
        byte[] v2 = {(byte) 0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1};
        IOException version = assertThrows(IOException.class,
                () -> new SpdyCodec().read(new DataInputStream(new ByteArrayInputStream(v2))));
        assertTrue(version.getMessage().contains("version 2"), version.getMessage());
        byte[] garbled = {(byte) 0x80, 3, 0, 2, 0, 0, 0, 8, 0, 0, 0, 1, 1, 2, 3, 4};
        IOException block = assertThrows(IOException.class,
                () -> new SpdyCodec().read(new DataInputStream(new ByteArrayInputStream(garbled))));
        assertTrue(block.getMessage().contains("header block"), block.getMessage());
    }

    private static byte[] outbound(EmbeddedChannel channel) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            all.writeBytes(bytes);
        }
        return all.toByteArray();
    }
}
