package org.bosun.cri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.event.EventFeed;
import org.bosun.api.app.AppService;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.cri.streaming.StreamingService;
import org.bosun.host.socket.PrivateSocketFile;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

/**
 * The CRI socket of the agent: gRPC over a unix socket, mode 0600 in a directory of mode 0700, as
 * kubelet and crictl expect ({@code unix:///run/bosun/cri.sock} by default: beside the agent's own
 * socket, so an agent on a private socket never takes the host's CRI socket). A setting turns it off.
 */
@Component(immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CriSocket.Config.class)
public final class CriSocket {
    /**
     * grpc's Netty server sets SO_KEEPALIVE on every accepted channel, which a unix socket does not
     * have: Netty warned of it in the agent's log twice for every CRI call. Held here so the level
     * stays (java.util.logging keeps loggers weakly).
     */
    private static final Logger NETTY_BOOTSTRAP = quiet("io.grpc.netty.shaded.io.netty.bootstrap.AbstractBootstrap");

    static final String SOCKET_NAME = "cri.sock";
    /** The configuration of the agent's command socket (its component's name). */
    static final String AGENT_SOCKET_PID = "org.bosun.agent.CommandSocket";

    @ObjectClassDefinition(name = "bosun CRI server")
    public @interface Config {
        @AttributeDefinition(description = "Serve the Kubernetes CRI on a unix socket")
        boolean enabled() default true;

        @AttributeDefinition(description = "The unix socket; empty for cri.sock beside the agent's socket"
                + " (/run/bosun/cri.sock)")
        String socket() default "";

        @AttributeDefinition(description = "The checks PullImage switches off, as --insecure-options: Kubernetes"
                + " images are mostly unsigned, so 'image' (no signature check) is the default; TLS and the"
                + " registry's certificate stay checked unless 'tls' or 'http' is added")
        String insecureOptions() default "image";

        @AttributeDefinition(description = "The RuntimeClass handler of a pod that names none: runc or crun (the oci"
                + " engine with that runtime) or nspawn")
        String defaultRuntimeHandler() default "runc";

        @AttributeDefinition(description = "The CNI configuration directory: a sandbox not in the node's network"
                + " joins the network of its first *.conflist, *.conf or *.json file (lexical order, as libcni),"
                + " or bosun's own 'default' network when there is none")
        String cniConfigDirectory() default CriNetwork.DEFAULT_DIRECTORY;
    }

    private final Path socketPath;
    private final EventLoopGroup loops;
    private final Server server;

    @Activate
    public CriSocket(BundleContext context, Config config,
            @Reference ProviderRegistry providers, @Reference PodService pods, @Reference AppService apps,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL) ConfigurationAdmin configurations,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            StreamingService streaming,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            EventFeed events) throws IOException {
        if (!config.enabled()) {
            socketPath = null;
            loops = null;
            server = null;
            return;
        }
        socketPath = socketPath(config, agentSocket(context, configurations));
        // the agent's own configuration: the CRI's pulls read its mirrors.d, auth.d and trust
        RuntimePaths paths = RuntimePaths.of(context.getProperty("bosun.agent.dir"),
                context.getProperty("bosun.agent.localConfig"), context.getProperty("bosun.agent.systemConfig"));
        Set<InsecureOption> insecure = InsecureOption.parse(config.insecureOptions());
        CriHandlers handlers = new CriHandlers(config.defaultRuntimeHandler());
        CriImageService images = new CriImageService(providers, pods, paths, insecure);
        CriSandboxes sandboxes = new CriSandboxes(pods, apps, paths, handlers,
                new CriNetwork(Path.of(config.cniConfigDirectory().isBlank() ? CriNetwork.DEFAULT_DIRECTORY
                        : config.cniConfigDirectory())));
        CriContainers containers = new CriContainers(pods, apps, paths, sandboxes, images);
        // One event loop accepts connections and reads and writes their frames; the calls themselves run on
        // grpc's default executor (a cached pool), so a slow RunPodSandbox does not hold up other calls.
        loops = new EpollEventLoopGroup(1);
        Server started = null;
        try (PrivateSocketFile file = PrivateSocketFile.prepare(socketPath, "another CRI server already listens on "
                + socketPath + "; stop it first or set the socket of the CRI server (configuration"
                + " org.bosun.cri.CriSocket)")) {
            started = NettyServerBuilder.forAddress(new DomainSocketAddress(file.bindPath().toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(loops).workerEventLoopGroup(loops)
                    .addService(new CriRuntimeService(providers, paths, context.getBundle().getVersion().toString(),
                            sandboxes, containers, new CriStreaming(streaming, paths),
                            new CriContainerEvents(events, paths, sandboxes, containers),
                            new CriStats(apps, paths, sandboxes, containers)))
                    .addService(images)
                    .build().start();
            file.publish();
        } catch (IOException | RuntimeException e) {
            if (started != null) {
                started.shutdownNow();
            }
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("the CRI server cannot listen on " + socketPath + ": " + e.getMessage(), e);
        }
        server = started;
    }

    static Path socketPath(Config config, String agentSocket) {
        if (!config.socket().isEmpty()) {
            return Path.of(config.socket());
        }
        Path agent = Path.of(agentSocket != null && !agentSocket.isEmpty() ? agentSocket : "/run/bosun/agent.sock");
        return agent.resolveSibling(SOCKET_NAME);
    }

    /**
     * Where the agent's command socket listens: its configuration ({@code configurations.d}) wins
     * over the {@code --socket} the agent was started with (the framework property), as in the agent.
     */
    static String agentSocket(BundleContext context, ConfigurationAdmin configurations) {
        if (configurations != null) {
            try {
                Configuration[] found = configurations.listConfigurations("(service.pid=" + AGENT_SOCKET_PID + ")");
                Object socket = found == null || found.length == 0 || found[0].getProperties() == null ? null
                        : found[0].getProperties().get("socket");
                if (socket instanceof String configured && !configured.isEmpty()) {
                    return configured;
                }
            } catch (IOException | InvalidSyntaxException e) {
                // unreadable configurations: the agent falls back to its property as well
            }
        }
        return context.getProperty("bosun.agent.socket");
    }

    @Deactivate
    void deactivate() throws IOException, InterruptedException {
        if (server == null) {
            return;
        }
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        Files.deleteIfExists(socketPath);
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }
}
