package org.bosun.shell;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.bosun.api.ErrorKind;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.command.protocol.Wire;
import org.bosun.host.socket.PrivateSocketServer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The agent's shell socket, {@code shell.sock} beside the agent's command socket (mode 0600 in a
 * directory of mode 0700; only root may connect, checked with SO_PEERCRED), that {@code bosun shell}
 * talks to. A connection is one Gogo session. It speaks the agent's protocol ({@link Wire}), one
 * exchange a line: the client sends an invocation whose only argument is the line, and gets the
 * line's output and an outcome whose exit code is the line's status. An invocation without
 * arguments asks for the command names (for completion), one a line.
 */
// The agent's socket configuration (its component's PID, from configurations.d) is read too: an
// agent told where to listen there must get its shell beside that socket, not beside --socket's.
@Component(immediate = true, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        configurationPid = {ShellSocket.AGENT_SOCKET_PID, "org.bosun.shell.ShellSocket"})
public final class ShellSocket {
    static final String SOCKET_NAME = "shell.sock";
    /** The configuration of the agent's command socket (its component's name). */
    static final String AGENT_SOCKET_PID = "org.bosun.agent.CommandSocket";

    @ObjectClassDefinition(name = "bosun shell socket", pid = "org.bosun.shell.ShellSocket")
    public @interface Config {
        @AttributeDefinition(description = "The unix socket of bosun shell; empty for shell.sock beside the agent's"
                + " socket (its configuration, else the framework property bosun.agent.socket; a framework without"
                + " it is no agent and listens nowhere)")
        String shellSocket() default "";
    }

    /** The agent's own setting (configuration org.bosun.agent.CommandSocket), merged in by DS. */
    @interface AgentSocketConfig {
        String socket() default "";
    }

    private final CommandProcessor processor;
    private final CliVerbs verbs;
    private final Path socketPath;
    private final PrivateSocketServer server;
    private final ExecutorService sessions = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bosun-shell-session");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public ShellSocket(BundleContext context, Config config, AgentSocketConfig agent, @Reference CommandProcessor processor,
            @Reference CliVerbs verbs) throws IOException {
        this.processor = processor;
        this.verbs = verbs;
        String agentSocket = !agent.socket().isEmpty() || context == null ? agent.socket()
                : context.getProperty("bosun.agent.socket");
        this.socketPath = socketPath(config.shellSocket(), agentSocket);
        if (socketPath == null) {
            server = null;
            return;
        }
        server = PrivateSocketServer.listen(socketPath, "another bosun shell socket is served at " + socketPath
                + "; stop its agent first", "bosun-shell-accept", client -> sessions.execute(() -> serve(client)));
    }

    /** The configured socket, else shell.sock beside the agent's socket, else null (no agent: no shell). */
    static Path socketPath(String configured, String agentSocket) {
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        return agentSocket == null || agentSocket.isEmpty() ? null : Path.of(agentSocket).resolveSibling(SOCKET_NAME);
    }

    @Deactivate
    void deactivate() throws IOException, InterruptedException {
        if (server == null) {
            return;
        }
        server.close();
        sessions.shutdownNow();
        sessions.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void serve(SocketChannel client) {
        try (client) {
            UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)));
            var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
            if (!peer.user().equals(lookup.lookupPrincipalByName("root"))) {
                // the refusal answers the client's first line, whatever it is
                Wire.readFrame(new DataInputStream(new BufferedInputStream(Channels.newInputStream(client))));
                byte[] msg = ("bosun shell: the agent's shell serves root only; user " + peer.user().getName()
                        + " cannot use it\n").getBytes(StandardCharsets.UTF_8);
                Wire.writeFrame(out, Wire.STDERR, msg, 0, msg.length);
                writeOutcome(out, ErrorKind.PERMISSION_DENIED.exitCode());
                return;
            }
            int gid = peer.group().equals(lookup.lookupPrincipalByGroupName("root")) ? 0 : -1;
            converse(reading(client), out, gid);
        } catch (IOException e) {
            // the client went away
        }
    }

    /**
     * Reads the channel itself, not through a stream of {@link Channels}: those hold the channel's
     * blocking lock while they wait, and the line's output could then never be written.
     */
    private static java.io.InputStream reading(SocketChannel client) {
        return new java.io.InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : client.read(java.nio.ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /**
     * One Gogo session, line by line, until the client hangs up. A reader thread takes the client's
     * frames, so that a hang-up while a line runs (Ctrl-C, a killed client) interrupts the line.
     */
    void converse(java.io.InputStream channelIn, DataOutputStream out, int gid) throws IOException {
        BlockingQueue<Wire.Frame> frames = new LinkedBlockingQueue<>();
        Wire.Frame hangUp = new Wire.Frame((byte) 0, new byte[0]);
        Thread worker = Thread.currentThread();
        Object running = new Object();
        boolean[] busy = {false};
        Thread reader = new Thread(() -> {
            DataInputStream in = new DataInputStream(new BufferedInputStream(channelIn));
            try {
                Wire.Frame f;
                while ((f = Wire.readFrame(in)) != null) {
                    frames.add(f);
                }
            } catch (IOException e) {
                // broken: a hang-up
            }
            frames.add(hangUp);
            synchronized (running) {
                if (busy[0]) {
                    worker.interrupt();
                }
            }
        }, "bosun-shell-reader");
        reader.setDaemon(true);
        reader.start();
        OutputStream stdout = new Wire.FrameStream(out, Wire.STDOUT);
        OutputStream stderr = new Wire.FrameStream(out, Wire.STDERR);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        try (CommandSession session = session(processor, new ByteArrayInputStream(new byte[0]), stdout, stderr)) {
            while (true) {
                Wire.Frame frame;
                try {
                    frame = frames.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (frame == hangUp || frame.type() != Wire.INVOCATION) {
                    return;
                }
                Invocation line = Wire.decodeInvocation(frame.payload(), 0, gid);
                int status;
                if (line.args().isEmpty()) {
                    stdout.write(String.join("\n", commandNames(session)).concat("\n").getBytes(StandardCharsets.UTF_8));
                    status = 0;
                } else {
                    synchronized (running) {
                        busy[0] = true;
                    }
                    try {
                        status = execute(session, line, stdout, err);
                    } finally {
                        synchronized (running) {
                            busy[0] = false;
                        }
                        Thread.interrupted(); // a hang-up that came too late to matter
                    }
                }
                writeOutcome(out, status);
            }
        }
    }

    /** A Gogo session whose bare names find the bosun commands first ({@code list} is {@code bosun:list}). */
    static CommandSession session(CommandProcessor processor, java.io.InputStream in, OutputStream out,
            OutputStream err) {
        CommandSession session = processor.createSession(in, out, err);
        session.put("SCOPE", "bosun:*");
        return session;
    }

    /**
     * Runs one line and returns its status: 0, the bosun command's exit code, or the CLI's error for
     * a command that does not exist (as {@code bosun NAME} would answer).
     */
    int execute(CommandSession session, Invocation line, OutputStream stdout, PrintStream err) {
        session.put(CliVerbs.INVOCATION, line);
        String text = String.join(" ", line.args());
        try {
            Object result = session.execute(text);
            if (result != null) {
                String shown = String.valueOf(session.format(result, Converter.INSPECT));
                stdout.write((shown + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return 0;
        } catch (CliVerbs.CommandFailed e) {
            return e.exitCode();
        } catch (CommandNotFoundException e) {
            // the CLI's own answer to a verb it does not have
            String name = e.getCommand();
            if (name.startsWith("bosun:")) {
                name = name.substring("bosun:".length());
            }
            int code = verbs.execute(session, List.of(name), stdout, err);
            return code != 0 ? code : ErrorKind.NOT_FOUND.exitCode();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof org.apache.felix.gogo.runtime.SyntaxError) {
                    err.println("bosun shell: cannot parse '" + text + "': " + t.getMessage());
                    return ErrorKind.INVALID_ARGUMENT.exitCode();
                }
            }
            err.println("bosun shell: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return ErrorKind.INTERNAL.exitCode();
        }
    }

    /** Every command's name, scoped ({@code bosun:list}) and bare ({@code list}), sorted. */
    static Collection<String> commandNames(CommandSession session) {
        TreeSet<String> names = new TreeSet<>();
        if (session.get(".commands") instanceof Collection<?> commands) {
            for (Object c : commands) {
                String name = String.valueOf(c);
                names.add(name);
                names.add(name.substring(name.indexOf(':') + 1));
            }
        }
        return names;
    }

    private static void writeOutcome(DataOutputStream out, int status) throws IOException {
        byte[] encoded = Wire.encode(Outcome.exit(status));
        synchronized (out) {
            Wire.writeFrame(out, Wire.OUTCOME, encoded, 0, encoded.length);
        }
    }
}
