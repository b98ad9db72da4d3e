package org.bosun.apiservice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bosun.api.RuntimePaths;
import org.bosun.api.event.EventFeed;
import org.bosun.api.image.ImageStore;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

/**
 * The API service: rkt's read-only {@code v1alpha.PublicAPI} on a loopback TCP port (15441 by
 * default, rkt's) and on a unix socket ({@code api-service.sock} beside the agent's socket, mode
 * 0666: the API is read-only, and any local user could reach rkt's loopback port as well). It reads
 * one data directory: the framework property {@code bosun.api.dir} (the {@code --dir} of
 * {@code bosun api-service}), else the agent's, else the default.
 */
@Component(immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ApiServiceServer.Config.class)
public final class ApiServiceServer {
    /** Held so the level stays: Netty warns of SO_KEEPALIVE on every unix connection otherwise. */
    private static final Logger NETTY_BOOTSTRAP = quiet("io.grpc.netty.shaded.io.netty.bootstrap.AbstractBootstrap");
    private static final System.Logger LOG = System.getLogger(ApiServiceServer.class.getName());
    static final int DEFAULT_PORT = 15441;
    static final String SOCKET_NAME = "api-service.sock";
    /** The framework property {@code bosun api-service} sets: the system property to report a failure to start in. */
    static final String FAILURE_KEY_PROPERTY = "bosun.api.failure.key";
    /** Appended to that system property's name: set once the service listens. */
    static final String READY_SUFFIX = ".ready";

    @ObjectClassDefinition(name = "bosun API service")
    public @interface Config {
        @AttributeDefinition(description = "Serve rkt's read-only API (v1alpha PublicAPI)")
        boolean enabled() default true;

        @AttributeDefinition(description = "The loopback TCP port; 0 for the framework property bosun.api.port,"
                + " else 15441; -1 for none")
        int port() default 0;

        @AttributeDefinition(description = "The unix socket; empty for the framework property bosun.api.socket,"
                + " else api-service.sock beside the agent's socket (/run/bosun/api-service.sock); '-' for none")
        String socket() default "";
    }

    private final EventLoopGroup loops;
    private final Server tcp;
    private final Server unix;
    private final Path socketPath;
    private final PublicApi api;
    private final EventFeed.Subscription warm;

    @Activate
    public ApiServiceServer(BundleContext context, Config config, @Reference PodService pods,
            @Reference ImageStore images, @Reference EventFeed events,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL) ProviderRegistry providers) throws IOException {
        if (!config.enabled()) {
            report(context.getProperty(FAILURE_KEY_PROPERTY), "the API service is disabled (enabled=false in"
                    + " configurations.d): nothing to serve");
            loops = null;
            tcp = null;
            unix = null;
            socketPath = null;
            api = null;
            warm = null;
            return;
        }
        RuntimePaths paths = RuntimePaths.of(first(context.getProperty("bosun.api.dir"),
                context.getProperty("bosun.agent.dir")), null, null);
        int port = config.port() != 0 ? config.port() : parsePort(context.getProperty("bosun.api.port"));
        String socket = !config.socket().isEmpty() ? config.socket()
                : first(context.getProperty("bosun.api.socket"), "");
        boolean besideAgent = socket.isEmpty();
        socketPath = socket.equals("-") ? null : besideAgent
                ? Path.of(first(context.getProperty("bosun.agent.socket"), "/run/bosun/agent.sock"))
                        .resolveSibling(SOCKET_NAME)
                : Path.of(socket);
        api = new PublicApi(paths, pods, images, events, providers, context.getBundle().getVersion().toString());
        // the data directory is watched from now on, not from a client's first ListenEvents: the watch
        // is set up before anyone asks, so a stream misses nothing that happens after it began
        try {
            warm = events.follow(paths, e -> { });
        } catch (RuntimeException e) {
            api.close();
            report(context.getProperty(FAILURE_KEY_PROPERTY), "the API service cannot follow the events of "
                    + paths.dataDir() + ": " + e.getMessage());
            throw e;
        }
        loops = new EpollEventLoopGroup(1);
        Server tcpServer = null;
        Server unixServer = null;
        try {
            if (port > 0) {
                try {
                    tcpServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                            .channelType(EpollServerSocketChannel.class)
                            .bossEventLoopGroup(loops).workerEventLoopGroup(loops)
                            .addService(api).build().start();
                } catch (IOException e) {
                    throw new IOException("the API service cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                            + "); another API service may have it: give another --listen-port", e);
                }
            }
            if (socketPath != null) {
                if (answers(socketPath)) {
                    throw new IOException("the API service cannot listen on " + socketPath + ": another server"
                            + " answers there (another API service?); stop it, or give another --socket");
                }
                Files.createDirectories(socketPath.getParent());
                // a socket file no server answers on is a stale one (a service killed): replaced
                Files.deleteIfExists(socketPath);
                unixServer = NettyServerBuilder.forAddress(new DomainSocketAddress(socketPath.toString()))
                        .channelType(EpollServerDomainSocketChannel.class)
                        .bossEventLoopGroup(loops).workerEventLoopGroup(loops)
                        .addService(api).build().start();
                Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-rw-rw-"));
                if (besideAgent) {
                    enterable(socketPath.getParent());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (tcpServer != null) {
                tcpServer.shutdownNow();
            }
            if (unixServer != null) {
                unixServer.shutdownNow();
            }
            api.close();
            warm.close();
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            IOException failure = e instanceof IOException io && io.getMessage() != null
                    && io.getMessage().startsWith("the API service") ? io
                    : new IOException("the API service cannot listen on " + socketPath + ": " + e.getMessage(), e);
            report(context.getProperty(FAILURE_KEY_PROPERTY), failure.getMessage());
            throw failure;
        }
        tcp = tcpServer;
        unix = unixServer;
        String key = context.getProperty(FAILURE_KEY_PROPERTY);
        if (key != null && !key.isEmpty()) {
            // listening, the socket's mode set: the launcher may say so
            System.setProperty(key + READY_SUFFIX, "true");
        }
        LOG.log(System.Logger.Level.INFO, "API service on " + (port > 0 ? "127.0.0.1:" + port : "no TCP port")
                + (socketPath != null ? " and " + socketPath : "") + " for " + paths.dataDir());
    }

    /**
     * Tells {@code bosun api-service}, which waits for the service to listen, why it will not: in
     * the system property its launcher named (the launcher shares this JVM, not a class), so it
     * ends at once with this one line. Nothing in an agent, which names none.
     */
    static void report(String key, String message) {
        if (key != null && !key.isEmpty()) {
            System.setProperty(key, oneLine(message));
        }
    }

    static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * Lets every user through the agent's socket directory (x only: no listing), which the agent
     * makes root's alone (0700): the API socket in it is for every local user. The agent's own
     * socket stays root's (its file is 0600, bound in a private directory first), as does every
     * other socket there (the CRI's, the metadata service's).
     */
    static void enterable(Path dir) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (mode.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)
                | mode.add(java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE)) {
            Files.setPosixFilePermissions(dir, mode);
        }
    }

    /** Whether a server accepts connections on the unix socket {@code path} (a stale socket file does not). */
    static boolean answers(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return c.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static int parsePort(String property) {
        return property == null || property.isBlank() ? DEFAULT_PORT : Integer.parseInt(property.trim());
    }

    private static String first(String a, String b) {
        return a != null && !a.isEmpty() ? a : b;
    }

    @Deactivate
    void deactivate() throws IOException, InterruptedException {
        if (loops == null) {
            return;
        }
        api.close();
        warm.close();
        for (Server s : new Server[] {tcp, unix}) {
            if (s != null) {
                s.shutdownNow();
            }
        }
        for (Server s : new Server[] {tcp, unix}) {
            if (s != null) {
                s.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        if (socketPath != null) {
            Files.deleteIfExists(socketPath);
        }
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }
}
