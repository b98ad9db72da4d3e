package org.bosun.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.command.protocol.Wire;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * The Gogo commands and the shell socket with the real Gogo runtime and a command service that
 * answers as the CLI does for a few verbs: the lines reach the CLI as its words, their output and
 * exit codes come back unchanged, and a verb nobody has gets the CLI's answer.
 */
public class ShellSocketTest {
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();
    private final CommandService cli = (invocation, stdout, stderr) -> {
        calls.add(invocation.args());
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        switch (invocation.args().get(0)) {
            case "list" -> {
                out.println("[] cwd=" + invocation.cwd() + " uid=" + invocation.uid());
                return Outcome.exit(0);
            }
            case "version" -> {
                return Outcome.exit(0);
            }
            case "stop" -> {
                err.println("bosun stop: no pod " + invocation.args().get(1));
                return Outcome.exit(2);
            }
            default -> {
                err.println("bosun: unknown command '" + invocation.args().get(0) + "'");
                return Outcome.exit(4);
            }
        }
    };
    private ThreadIOImpl threadIo;
    private CommandProcessorImpl processor;
    private CliVerbs verbs;

    @Before
    public void gogo() {
        threadIo = new ThreadIOImpl();
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        verbs = new CliVerbs();
        verbs.bind(cli);
        for (Map.Entry<String, List<String>> verb : CliVerbs.VERBS.entrySet()) {
            processor.addCommand("bosun", verbs.function(verb.getValue()), verb.getKey());
        }
    }

    @After
    public void stop() {
        processor.stop();
        threadIo.stop();
    }

    private ShellSocket socket(Path path) throws Exception {
        return socket(path, null);
    }

    private ShellSocket socket(Path path, Path agentSocket) throws Exception {
        return new ShellSocket(null, new ShellSocket.Config() {
            @Override
            public String shellSocket() {
                return path == null ? "" : path.toString();
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ShellSocket.Config.class;
            }
        }, new ShellSocket.AgentSocketConfig() {
            @Override
            public String socket() {
                return agentSocket == null ? "" : agentSocket.toString();
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ShellSocket.AgentSocketConfig.class;
            }
        }, processor, verbs);
    }

    @Test
    public void theShellListensBesideTheAgentsConfiguredSocket() throws Exception {
        Path dir = Files.createTempDirectory("bosun-shell-agent-");
        ShellSocket shell = socket(null, dir.resolve("configured/agent.sock"));
        try {
            assertTrue(Files.exists(dir.resolve("configured/shell.sock")));
        } finally {
            shell.deactivate();
            Files.deleteIfExists(dir.resolve("configured/shell.sock"));
            Files.deleteIfExists(dir.resolve("configured"));
            Files.deleteIfExists(dir);
        }
    }

    private static Invocation line(String text) {
        return new Invocation(List.of(text), Map.of("HOME", "/root"), "/srv", 0, 0, false, 0);
    }

    @Test
    public void aLineRunsTheCliWithItsWordsAndTheCallersContext() throws Exception {
        ShellSocket shell = socket(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (CommandSession session = ShellSocket.session(processor, new java.io.ByteArrayInputStream(new byte[0]), out, err)) {
            int status = shell.execute(session, line("bosun:list --format=json"), out,
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, status);
            assertEquals(List.of(List.of("list", "--format=json")), calls);
            assertEquals("[] cwd=/srv uid=0\n", out.toString(StandardCharsets.UTF_8));
            assertEquals("", err.toString(StandardCharsets.UTF_8));

            calls.clear();
            out.reset();
            assertEquals(0, shell.execute(session, line("engines"), out, new PrintStream(err, true)));
            assertEquals(List.of(List.of("version", "--only=engines")), calls);
        }
    }

    @Test
    public void aFailedCommandKeepsItsOneLineAndExitCode() throws Exception {
        ShellSocket shell = socket(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (CommandSession session = ShellSocket.session(processor, new java.io.ByteArrayInputStream(new byte[0]), out, err)) {
            int status = shell.execute(session, line("bosun:stop 1234"), out,
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, status);
            assertEquals("bosun stop: no pod 1234\n", err.toString(StandardCharsets.UTF_8));
            assertEquals("", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    public void anUnknownCommandGetsTheClisAnswer() throws Exception {
        ShellSocket shell = socket(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (CommandSession session = ShellSocket.session(processor, new java.io.ByteArrayInputStream(new byte[0]), out, err)) {
            int status = shell.execute(session, line("bosun:frobnicate --now"), out,
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(4, status);
            assertEquals(List.of(List.of("frobnicate")), calls);
            assertEquals("bosun: unknown command 'frobnicate'\n", err.toString(StandardCharsets.UTF_8));

            err.reset();
            int unclosed = shell.execute(session, line("echo 'unclosed"), out,
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(err.toString(StandardCharsets.UTF_8), 4, unclosed);
            assertTrue(err.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
                    .startsWith("bosun shell: cannot parse 'echo 'unclosed': "));
        }
    }

    @Test
    public void theSocketIsRootsOnlyAndServesLinesAndCommandNames() throws Exception {
        Assume.assumeTrue("the shell serves root only", "root".equals(System.getProperty("user.name")));
        Path dir = Files.createTempDirectory("bosun-shell-test-");
        Path path = dir.resolve("run/shell.sock");
        ShellSocket shell = socket(path);
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(path));
                var request = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
                var response = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                Invocation names = new Invocation(List.of(), Map.of(), "/", 0, 0, false, 0);
                assertEquals(0, Wire.call(request, response, names, out, err).exitCode());
                List<String> listed = out.toString(StandardCharsets.UTF_8).lines().toList();
                assertTrue(listed.toString(), listed.contains("bosun:list") && listed.contains("list")
                        && listed.contains("bosun:images") && listed.contains("bosun:prepare"));
                out.reset();
                // two lines on one connection: one session
                assertEquals(2, Wire.call(request, response, line("bosun:stop abc"), out, err).exitCode());
                assertEquals(0, Wire.call(request, response, line("list"), out, err).exitCode());
                assertEquals("[] cwd=/srv uid=0\n", out.toString(StandardCharsets.UTF_8));
                assertEquals("bosun stop: no pod abc\n", err.toString(StandardCharsets.UTF_8));
            }
        } finally {
            shell.deactivate();
            Files.deleteIfExists(path);
            Files.deleteIfExists(path.getParent());
            Files.deleteIfExists(dir);
        }
        assertTrue("the socket is removed with its component", !Files.exists(path));
    }

    @Test
    public void withoutAnAgentSocketTheShellListensNowhere() {
        assertEquals(null, ShellSocket.socketPath("", null));
        assertEquals(Path.of("/run/x/shell.sock"), ShellSocket.socketPath("", "/run/x/agent.sock"));
        assertEquals(Path.of("/tmp/s.sock"), ShellSocket.socketPath("/tmp/s.sock", "/run/x/agent.sock"));
    }
}
