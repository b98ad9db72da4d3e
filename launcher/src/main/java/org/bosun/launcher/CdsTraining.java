package org.bosun.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.ExecPlan;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.command.protocol.Wire;

/**
 * The install script makes two class data sharing archives, each from one training run of the
 * launcher: {@code bosun.jsa} for a launcher that boots the framework in-process, and the much
 * smaller {@code bosun-client.jsa} for a launcher that only hands the command to the agent. Mapping
 * the big archive costs a client more than it saves (about 13 ms of every agent-served command), so
 * the client gets an archive of just its own path: the unix socket round trip with the real codec,
 * an outcome that carries an exec plan, and the exec plan's classes. Both runs walk that path, so
 * the in-process archive has it too.
 */
final class CdsTraining {
    private CdsTraining() {
    }

    /** {@code BOSUN_CDS_TRAINING}'s value for the client archive's run. */
    static final String CLIENT = "client";

    static void exerciseAgentClient(Invocation invocation) throws IOException {
        Path dir = Files.createTempDirectory("bosun-cds");
        Path socket = dir.resolve("train.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread agent = new Thread(() -> answer(server), "bosun-cds-training");
            agent.start();
            int fd = AgentClient.connect(socket);
            if (fd >= 0) {
                PrintStream sink = new PrintStream(new ByteArrayOutputStream());
                Outcome outcome = AgentClient.call(fd, invocation, sink, sink);
                // `run` then claims the pod (lock, rename, pid file) before it execs
                if (outcome.plan() != null) {
                    claimLike(dir, outcome.plan().claim());
                }
            }
            agent.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /** Walks {@link Exec#claim} on a pod made up in {@code dir}, as the plan's claim has it. */
    private static void claimLike(Path dir, ExecPlan.Claim shape) throws IOException {
        Path from = Files.createDirectories(dir.resolve("prepared").resolve(shape.uuid()));
        Path to = Files.createDirectories(dir.resolve("run")).resolve(shape.uuid());
        Path lock = Files.createFile(from.resolve("lock"));
        int fd = Exec.claim(new ExecPlan.Claim(shape.uuid(), lock.toString(), from.toString(), to.toString(),
                to.resolve("pid").toString()));
        Native.close(fd);
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir))
                    .forEach(p -> p.toFile().delete());
        }
    }

    /**
     * The commands the in-process archive's run walks after its own, in the same platform with the
     * same global options, their output dropped: the archive then holds the classes that listing
     * pods and images, reading a pod's status and the usual refusals load, not only those of the
     * command the training run was given. Only classes that were linked go into the archive.
     */
    static final List<List<String>> COMMANDS = List.of(List.of("list"), List.of("list", "--format=json"),
            List.of("image", "list"), List.of("trust", "--list"), List.of("status", "no-such-pod"),
            List.of("cat-manifest", "no-such-pod"), List.of("gc"), List.of("image", "gc"), List.of("list", "--bad-flag"),
            List.of("fetch", "--pull-policy=never", "example.com/not-stored"));

    static void exerciseCommands(CommandService service, Invocation invocation) {
        List<String> globals = new ArrayList<>();
        List<String> args = invocation.args();
        for (int i = 0; i < args.size(); i++) {
            if (Main.isGlobalOption(args.get(i))) {
                globals.add(args.get(i));
                if (Main.takesSeparateValue(args.get(i)) && i + 1 < args.size()) {
                    globals.add(args.get(++i));
                }
            }
        }
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        for (List<String> command : COMMANDS) {
            List<String> argv = new ArrayList<>(globals);
            argv.addAll(command);
            try {
                service.execute(new Invocation(argv, invocation.environment(), invocation.cwd(), invocation.uid(),
                        invocation.gid(), false, 0, false), sink, sink);
            } catch (RuntimeException | LinkageError e) {
                // a command that fails still loaded its classes: that is all training needs
            }
            sink.reset();
        }
    }

    private static void answer(ServerSocketChannel server) {
        try (SocketChannel client = server.accept()) {
            var in = new java.io.DataInputStream(Channels.newInputStream(client));
            var out = new java.io.DataOutputStream(Channels.newOutputStream(client));
            Wire.readFrame(in);
            byte[] text = "training\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Wire.writeFrame(out, Wire.STDOUT, text, 0, text.length);
            // `run` ends with a plan to exec: decoding one loads what the launcher needs for that
            ExecPlan plan = new ExecPlan(java.util.List.of("/bin/true"), java.util.List.of("PATH=/usr/bin"), "/",
                    new ExecPlan.Claim("training", "/nonexistent/lock", "/nonexistent/from", "/nonexistent/to",
                            "/nonexistent/pid"));
            byte[] outcome = Wire.encode(Outcome.exec(plan));
            Wire.writeFrame(out, Wire.OUTCOME, outcome, 0, outcome.length);
        } catch (IOException ignored) {
            // training only
        }
    }
}
