package org.bosun.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bosun.api.ErrorKind;
import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.command.protocol.Wire;
import org.bosun.host.socket.PrivateSocketServer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;

/**
 * The agent's socket. Each connection carries one command: an {@link Invocation} in, output frames
 * and an {@link Outcome} out. Only root may connect (SO_PEERCRED); the socket is mode 0600 in a
 * directory of mode 0700. Commands run on their own threads, so a slow one blocks no other.
 */
@Component(immediate = true)
@Designate(ocd = CommandSocket.Config.class)
public final class CommandSocket {

    /** What a caller reads while the cli bundle is being updated (or is stopped). */
    static final String NO_COMMAND_SERVICE = "the agent has no command service right now (the cli bundle"
            + " org.bosun.cli is being updated or is stopped); try again";

    @ObjectClassDefinition(name = "bosun agent socket")
    public @interface Config {
        @AttributeDefinition(description = "The unix socket to listen on; empty for the framework property"
                + " bosun.agent.socket, else /run/bosun/agent.sock")
        String socket() default "";
    }

    /**
     * The cli bundle's command service. Dynamic, so that updating the cli bundle swaps it under a
     * listening socket instead of closing the socket; null while no cli bundle is started.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandService commands;

    private final POSIX posix = POSIXFactory.getNativePOSIX();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bosun-agent-command");
        t.setDaemon(true);
        return t;
    });
    private final Path socketPath;
    private final PrivateSocketServer server;
    /** Set when the agent was started with an idle time (--idle-exit, the framework property bosun.agent.idle-exit). */
    private final IdleExit idle;
    private final BundleContext context;
    private Thread idleWatch;

    @Activate
    public CommandSocket(BundleContext context, Config config) throws IOException {
        String configured = !config.socket().isEmpty() ? config.socket() : context.getProperty("bosun.agent.socket");
        this.socketPath = Path.of(configured != null && !configured.isEmpty() ? configured : "/run/bosun/agent.sock");
        this.context = context;
        String idleSetting = context == null ? null : context.getProperty("bosun.agent.idle-exit");
        idle = idleSetting == null || idleSetting.isEmpty() || idleSetting.equals("0") ? null
                : new IdleExit(TimeUnit.SECONDS.toNanos(Long.parseLong(idleSetting)), System::nanoTime, OpenConnections::count);
        server = PrivateSocketServer.listen(socketPath, "another bosun agent already listens on " + socketPath
                + "; stop it first or use --socket", "bosun-agent-accept", client -> {
                    if (idle != null) {
                        idle.commandStarted(); // on the accepting thread: counted before any idle check can miss it
                    }
                    workers.execute(() -> {
                        try {
                            serve(client);
                        } finally {
                            if (idle != null) {
                                idle.commandEnded();
                            }
                        }
                    });
                });
        if (idle != null) {
            idleWatch = new Thread(this::watchIdle, "bosun-agent-idle");
            idleWatch.setDaemon(true);
            idleWatch.start();
        }
    }

    /**
     * Leaves once idle: the socket goes first (a command from now on finds no agent and starts
     * another, or runs in-process), a command accepted meanwhile finishes, then the framework
     * stops, as on SIGTERM: the agent's pods are not its children and keep running.
     */
    private void watchIdle() {
        try {
            do {
                TimeUnit.NANOSECONDS.sleep(idle.period());
            } while (!idle.shouldExit());
            server.close();
            while (idle.running() > 0) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            System.err.println("bosun agent: idle, exiting (pods keep running)");
            context.getBundle(0).stop();
        } catch (InterruptedException e) {
            // deactivated
        } catch (IOException | org.osgi.framework.BundleException | IllegalStateException e) {
            System.err.println("bosun agent: the idle exit failed: " + e);
        }
    }

    @Deactivate
    void deactivate() throws IOException, InterruptedException {
        if (idleWatch != null && idleWatch != Thread.currentThread()) {
            idleWatch.interrupt();
        }
        server.close();
        workers.shutdown();
        workers.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void serve(SocketChannel client) {
        try (client) {
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)));
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client)));
            Wire.Frame frame = Wire.readFrame(in);
            if (frame == null || frame.type() != Wire.INVOCATION) {
                return;
            }
            int uid = uid(peer.user().getName());
            if (uid != 0) {
                byte[] msg = ("bosun: the agent serves root only; user " + peer.user().getName()
                        + " cannot use it\n").getBytes(StandardCharsets.UTF_8);
                Wire.writeFrame(out, Wire.STDERR, msg, 0, msg.length);
                byte[] outcome = Wire.encode(Outcome.exit(5));
                Wire.writeFrame(out, Wire.OUTCOME, outcome, 0, outcome.length);
                return;
            }
            Invocation invocation = Wire.decodeInvocation(frame.payload(), uid, gid(peer.group().getName()));
            AtomicBoolean done = new AtomicBoolean();
            watchForHangUp(client, Thread.currentThread(), done);
            Outcome outcome;
            try {
                outcome = execute(invocation, new Wire.FrameStream(out, Wire.STDOUT), new Wire.FrameStream(out, Wire.STDERR));
            } finally {
                done.set(true);
                Thread.interrupted(); // a hang-up that came too late to matter
            }
            byte[] encoded = Wire.encode(outcome);
            synchronized (out) {
                Wire.writeFrame(out, Wire.OUTCOME, encoded, 0, encoded.length);
            }
        } catch (IOException e) {
            // the client went away; its command's effects stand, as if it had been killed
        }
    }

    /**
     * Runs the invocation with the command service bound now. Between two cli bundles (an update
     * stops the old one before the new one starts) there is none: the caller gets the unavailable
     * error, which says to try again, instead of a closed socket.
     */
    private Outcome execute(Invocation invocation, OutputStream stdout, OutputStream stderr) throws IOException {
        CommandService service = commands;
        if (service == null) {
            byte[] msg = ("bosun: " + NO_COMMAND_SERVICE + "\n").getBytes(StandardCharsets.UTF_8);
            stderr.write(msg, 0, msg.length);
            return Outcome.exit(ErrorKind.UNAVAILABLE.exitCode());
        }
        return service.execute(invocation, stdout, stderr);
    }

    /**
     * The client sends nothing after its invocation, so a read that ends means it is gone (killed,
     * Ctrl-C). Its command is then interrupted, as it would have died with an in-process launcher:
     * a half-prepared pod is removed instead of becoming a prepared pod nobody knows.
     */
    private static void watchForHangUp(SocketChannel client, Thread worker, AtomicBoolean done) {
        Thread watcher = new Thread(() -> {
            // The channel itself, not a stream on it: Channels' streams hold the channel's blocking
            // lock while they wait, and the command's output could then never be written.
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64);
            try {
                while (client.read(buffer) >= 0) {
                    buffer.clear(); // nothing is expected; keep waiting for the end
                }
            } catch (IOException e) {
                // closed by us once the command is done, or broken: a hang-up either way
            }
            // Never interrupt the channel's own reader: that would close the socket under the reply.
            if (!done.get()) {
                worker.interrupt();
            }
        }, "bosun-agent-hangup");
        watcher.setDaemon(true);
        watcher.start();
    }

    private int uid(String user) {
        if (user.matches("\\d+")) {
            return Integer.parseInt(user);
        }
        Passwd pw = posix.getpwnam(user);
        return pw == null ? -1 : (int) pw.getUID();
    }

    private int gid(String group) {
        if (group.matches("\\d+")) {
            return Integer.parseInt(group);
        }
        var gr = posix.getgrnam(group);
        return gr == null ? -1 : (int) gr.getGID();
    }
}
