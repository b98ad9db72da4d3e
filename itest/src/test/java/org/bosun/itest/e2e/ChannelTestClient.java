package org.bosun.itest.e2e;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client of the Kubernetes channel protocols (v4/v5.channel.k8s.io): the JDK's own
 * WebSocket client, with each binary message's first byte as its channel.
 */
final class ChannelTestClient implements WebSocket.Listener {
    final WebSocket socket;
    final String protocol;
    final Map<Integer, ByteArrayOutputStream> channels = new ConcurrentHashMap<>();
    /** Every message in order, as channel and length, to check what came first. */
    final List<int[]> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private ByteArrayOutputStream partial = new ByteArrayOutputStream();

    ChannelTestClient(URI http, String... protocols) throws Exception {
        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
        if (protocols.length > 0) {
            b.subprotocols(protocols[0], java.util.Arrays.copyOfRange(protocols, 1, protocols.length));
        }
        socket = b.buildAsync(ws, this).get(30, TimeUnit.SECONDS);
        protocol = socket.getSubprotocol();
    }

    void send(int channel, byte[] data) throws Exception {
        ByteBuffer m = ByteBuffer.allocate(data.length + 1);
        m.put((byte) channel).put(data).flip();
        socket.sendBinary(m, true).get(30, TimeUnit.SECONDS);
    }

    void send(int channel, String data) throws Exception {
        send(channel, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits for the server's close and answers its status code. */
    int awaitClose() throws Exception {
        return closed.get(60, TimeUnit.SECONDS);
    }

    String text(int channel) {
        ByteArrayOutputStream b = channels.get(channel);
        return b == null ? "" : b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        partial.writeBytes(bytes);
        if (last) {
            byte[] message = partial.toByteArray();
            partial = new ByteArrayOutputStream();
            if (message.length > 0) {
                int channel = message[0] & 0xff;
                messages.add(new int[] {channel, message.length - 1});
                channels.computeIfAbsent(channel, c -> new ByteArrayOutputStream()).write(message, 1, message.length - 1);
            }
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.completeExceptionally(error);
    }
}
