package org.bosun.metadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.bosun.host.http.HttpHead;
import org.bosun.host.socket.PrivateSocketServer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * The runtime's side of the metadata service, as rkt had it on {@code /run/rkt/metadata-svc.sock}:
 * HTTP on a unix socket that only root can connect to (mode 0600, see {@link PrivateSocketServer}),
 * where core registers a pod when its network is set up and removes it at gc. The pods' side stays
 * on TCP (their {@code AC_METADATA_URL}).
 * <ul>
 * <li>{@code PUT /pods/UUID}: the pod's registration (written by core in its pod directory) is read
 * now; 204, or 404 with why it cannot be.</li>
 * <li>{@code DELETE /pods/UUID}: the pod is answered no more, its signatures verify no more; 204.</li>
 * <li>{@code GET /pods}: the registered pods, {@code [{"uuid":..., "url":...}]} (no secrets).</li>
 * </ul>
 * One request per connection (HTTP/1.0 or 1.1 with {@code Connection: close}).
 */
final class RegistrationSocket implements AutoCloseable {
    static final int MAX_HEAD = 8 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(RegistrationSocket.class.getName());

    private final PodRegistrations pods;
    private final PrivateSocketServer server;

    private RegistrationSocket(PodRegistrations pods, Path socket, ExecutorService workers) throws IOException {
        this.pods = pods;
        this.server = PrivateSocketServer.listen(socket, "another appc metadata service already listens on " + socket
                + "; stop it, or set the socket in the configuration org.bosun.metadata.MetadataService",
                "bosun-metadata-registrations", channel -> {
                    try {
                        workers.execute(() -> serve(channel));
                    } catch (RejectedExecutionException stopping) {
                        closeQuietly(channel);
                    }
                });
    }

    static RegistrationSocket listen(PodRegistrations pods, Path socket, ExecutorService workers) throws IOException {
        return new RegistrationSocket(pods, socket, workers);
    }

    Path path() {
        return server.path();
    }

    /** One exchange: an answer to what arrived, then the connection closes. */
    private void serve(SocketChannel channel) {
        try (channel; InputStream in = Channels.newInputStream(channel);
                OutputStream out = Channels.newOutputStream(channel)) {
            MetadataRequests.Reply reply;
            try {
                reply = handle(readRequest(in));
            } catch (IOException bad) {
                reply = MetadataRequests.Reply.error(400, bad.getMessage());
            }
            write(out, reply);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "a registration request failed: " + e);
        }
    }

    /** A request whose head is read to its end; a body is refused. */
    static HttpHead readRequest(InputStream in) throws IOException {
        HttpHead head = HttpHead.read(in, MAX_HEAD);
        String length = head.values("content-length").stream().filter(l -> !l.equals("0")).findFirst().orElse(null);
        if (length != null || head.header("transfer-encoding") != null) {
            if (length != null && length.matches("[0-9]{1,5}")) {
                // read, so that the answer is not lost to a reset of a connection closed with input unread
                in.readNBytes(Integer.parseInt(length));
            }
            throw new IOException("a registration request has no body: the pod's registration is in its directory");
        }
        return head;
    }

    MetadataRequests.Reply handle(HttpHead request) {
        String method = request.method();
        String path = request.path();
        if (path.equals("/pods") || path.equals("/pods/")) {
            if (!method.equals("GET")) {
                return MetadataRequests.Reply.methodNotAllowed("GET");
            }
            ArrayNode list = JSON.createArrayNode();
            for (PodRegistrations.Pod p : pods.registered()) {
                list.addObject().put("uuid", p.uuid()).put("url", p.registration().url());
            }
            try {
                return MetadataRequests.Reply.json(JSON.writeValueAsBytes(list));
            } catch (IOException e) {
                return MetadataRequests.Reply.error(500, e.getMessage());
            }
        }
        if (!path.startsWith("/pods/")) {
            return MetadataRequests.Reply.error(404, "the registration socket serves /pods and /pods/UUID; the pods'"
                    + " endpoints are at their AC_METADATA_URL");
        }
        String uuid = path.substring("/pods/".length());
        if (!PodRegistrations.isUuid(uuid)) {
            return MetadataRequests.Reply.error(400, "'" + uuid + "' is not a pod uuid");
        }
        switch (method) {
            case "PUT":
                String why = pods.register(uuid);
                return why == null ? new MetadataRequests.Reply(204, MetadataRequests.TEXT_TYPE, new byte[0],
                        java.util.Map.of()) : MetadataRequests.Reply.error(404, why);
            case "DELETE":
                pods.forget(uuid);
                return new MetadataRequests.Reply(204, MetadataRequests.TEXT_TYPE, new byte[0], java.util.Map.of());
            default:
                return MetadataRequests.Reply.methodNotAllowed("PUT, DELETE");
        }
    }

    private static void write(OutputStream out, MetadataRequests.Reply reply) throws IOException {
        HttpHead.answer(out, reply.status(), reason(reply.status()), reply.contentType(), reply.body(), reply.headers());
    }

    private static String reason(int status) {
        switch (status) {
            case 200:
                return "OK";
            case 204:
                return "No Content";
            case 400:
                return "Bad Request";
            case 404:
                return "Not Found";
            case 405:
                return "Method Not Allowed";
            default:
                return "Error";
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops listening and removes the socket file. */
    @Override
    public void close() throws IOException {
        server.close();
    }
}
