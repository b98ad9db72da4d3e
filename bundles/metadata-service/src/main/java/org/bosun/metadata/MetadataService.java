package org.bosun.metadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The appc metadata service over HTTP. It listens on the TCP port on every host address, as rkt's
 * did: the pods reach it on the host's side of their network (the bridge's or ptp peer's address,
 * in their {@code AC_METADATA_URL}), and {@link MetadataRequests} answers a request only when it
 * came from the pod's own address to that one, with the pod's token. The port it listens on is
 * recorded in {@value #PORT_FILE} under the host root while it runs, where core reads it for the
 * URLs of the pods it prepares next (without it, they name the default port).
 * <p>
 * Core registers pods and removes them over a root-only unix socket ({@link RegistrationSocket};
 * {@value #DEFAULT_SOCKET} for the default port, as rkt's {@code /run/rkt/metadata-svc.sock}), whose
 * path is recorded in {@value #SOCKET_FILE} beside the port.
 */
@Component(immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = MetadataService.Config.class)
public final class MetadataService {
    static final String PORT_FILE = "metadata-service/port";
    static final int DEFAULT_PORT = 18112;
    static final String SOCKET_FILE = "metadata-service/socket";
    static final String DEFAULT_SOCKET = "/run/bosun/metadata-svc.sock";
    private static final System.Logger LOG = System.getLogger(MetadataService.class.getName());

    @ObjectClassDefinition(name = "bosun appc metadata service")
    public @interface Config {
        @AttributeDefinition(description = "Serve the appc metadata service (the pods' AC_METADATA_URL)")
        boolean enabled() default true;

        @AttributeDefinition(description = "The TCP port; 0 for the framework property bosun.metadata.port, else 18112")
        int port() default 0;

        @AttributeDefinition(description = "The runtime's registration socket; empty for " + DEFAULT_SOCKET
                + " (metadata-svc-PORT.sock there for another port)")
        String socket() default "";
    }

    /** For the apps' image manifests; dynamic, so an update of the store bundle leaves the server up. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ImageStore store;

    private final HttpServer server;
    private final ExecutorService workers;
    private final int port;
    private final RegistrationSocket registrations;

    @Activate
    public MetadataService(BundleContext context, Config config) throws IOException {
        if (!config.enabled()) {
            server = null;
            workers = null;
            port = 0;
            registrations = null;
            return;
        }
        String property = context.getProperty("bosun.metadata.port");
        port = config.port() != 0 ? config.port()
                : property != null && !property.isBlank() ? Integer.parseInt(property.trim()) : DEFAULT_PORT;
        PodRegistrations pods = new PodRegistrations(PodRegistrations.HOST_ROOT);
        MetadataRequests requests = new MetadataRequests(pods, this::imageManifest);
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new IOException("the appc metadata service cannot listen on port " + port + " (" + e.getMessage()
                    + "); another metadata service (an agent's?) may have it: set the port in the configuration"
                    + " org.bosun.metadata.MetadataService", e);
        }
        workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "bosun-metadata-service");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext("/", exchange -> serve(requests, exchange));
        Path socket = Path.of(!config.socket().isBlank() ? config.socket()
                : port == DEFAULT_PORT ? DEFAULT_SOCKET : DEFAULT_SOCKET.replace(".sock", "-" + port + ".sock"));
        try {
            registrations = RegistrationSocket.listen(pods, socket, workers);
        } catch (IOException e) {
            server.stop(0);
            workers.shutdownNow();
            throw e;
        }
        server.start();
        record(PORT_FILE, Integer.toString(port));
        record(SOCKET_FILE, socket.toString());
        LOG.log(System.Logger.Level.INFO, "appc metadata service listening on port " + port + ", registrations on "
                + socket);
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            forget(SOCKET_FILE, registrations.path().toString());
            forget(PORT_FILE, Integer.toString(port));
            server.stop(0);
            try {
                registrations.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove the registration socket " + registrations.path()
                        + ": " + e.getMessage());
            }
            workers.shutdownNow();
        }
    }

    private Optional<String> imageManifest(Path dataDir, String imageId) {
        ImageStore s = store;
        if (s == null) {
            return Optional.empty();
        }
        RuntimePaths paths = new RuntimePaths(dataDir, RuntimePaths.DEFAULT_LOCAL_CONFIG,
                RuntimePaths.DEFAULT_SYSTEM_CONFIG);
        return s.find(paths, imageId).flatMap(image -> s.originalManifest(paths, image));
    }

    /**
     * Core names this port in the URLs of the pods it prepares from now on, and registers them on
     * this socket.
     */
    private static void record(String name, String value) throws IOException {
        Path file = PodRegistrations.HOST_ROOT.resolve(name);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, value + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Pods prepared from now on get the default port again, not this stopped one's, and no socket. */
    private static void forget(String name, String value) {
        Path file = PodRegistrations.HOST_ROOT.resolve(name);
        try {
            if (Files.readString(file).trim().equals(value)) {
                Files.delete(file);
            }
        } catch (IOException e) {
            // gone already, or another service's now
        }
    }

    private static void serve(MetadataRequests requests, HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MetadataRequests.MAX_BODY + 1);
            }
            MetadataRequests.Reply reply;
            if (body.length > MetadataRequests.MAX_BODY) {
                reply = MetadataRequests.Reply.error(413, "post at most " + MetadataRequests.MAX_BODY + " bytes");
            } else {
                reply = requests.handle(new MetadataRequests.Request(exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders().getFirst("Content-Type"),
                        body, exchange.getRemoteAddress().getAddress().getHostAddress(),
                        exchange.getLocalAddress().getAddress().getHostAddress()));
            }
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
            if (reply.body().length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply.body());
                }
            }
        }
    }
}
