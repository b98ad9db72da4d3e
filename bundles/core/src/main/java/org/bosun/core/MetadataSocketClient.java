package org.bosun.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One bodiless HTTP/1.1 request on the appc metadata service's registration socket, answered
 * within a time limit (a service that hangs must not hang {@code bosun run}).
 */
final class MetadataSocketClient {
    /** An answer is a status line and a one-line message: more is not the service. */
    private static final int MAX_ANSWER = 64 * 1024;

    private MetadataSocketClient() {
    }

    /** @return null on a 2xx answer, else what went wrong, in a few words */
    static String exchange(Path socket, String method, String path, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return "no answer within " + timeout.toMillis() + " ms";
                }
                selector.select(left);
                selector.selectedKeys().clear();
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    break;
                }
                answer.write(buffer.array(), 0, n);
                if (answer.size() > MAX_ANSWER) {
                    return "an answer larger than " + MAX_ANSWER + " bytes";
                }
            }
            return status(answer.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return socket + ": " + e.getMessage();
        }
    }

    /** null for a 2xx status line, else the status and the answer's message. */
    static String status(String answer) {
        String[] parts = answer.split("\r\n\r\n", 2);
        String[] line = parts[0].split("\r\n", 2)[0].split(" ", 3);
        if (line.length < 2 || !line[0].startsWith("HTTP/1.")) {
            return "not an HTTP answer";
        }
        if (line[1].startsWith("2") && line[1].length() == 3) {
            return null;
        }
        String message = parts.length > 1 ? parts[1].trim() : "";
        return line[1] + (message.isEmpty() ? "" : " " + message);
    }
}
