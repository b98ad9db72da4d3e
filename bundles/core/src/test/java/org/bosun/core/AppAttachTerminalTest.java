package org.bosun.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.bosun.api.stage1.EngineCommand;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The terminal attach client ({@link AppAttach#TERMINAL_SCRIPT}) against a unix socket that speaks the
 * protocol of {@code org.bosun.api.app.AppIo#TTY_SOCKET}, as the oci engine's holder does: the output
 * relayed, the input in 'd' frames, ctrl-p ctrl-q detaching with 0 (what followed it not sent), a
 * ctrl-p not followed by ctrl-q passed on, the end of the connection ending it with 0, an unreachable
 * terminal one line and 5. Without a terminal on its side it sends no window size.
 */
public class AppAttachTerminalTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Process client(Path pod) throws IOException {
        EngineCommand cmd = AppAttach.terminal(pod, "shell");
        return new ProcessBuilder(cmd.argv()).start();
    }

    private ServerSocketChannel holder(Path pod) throws IOException {
        Path dir = Files.createDirectories(pod.resolve("apps/shell"));
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("tty")));
        return server;
    }

    @Test(timeout = 30_000)
    public void outputIsRelayedInputFramedAndCtrlPCtrlQDetaches() throws Exception {
        assumeTrue("no " + PYTHON, Files.isExecutable(PYTHON));
        Path pod = tmp.newFolder("pod").toPath();
        try (ServerSocketChannel server = holder(pod)) {
            Process p = client(pod);
            try (SocketChannel conn = server.accept()) {
                conn.write(ByteBuffer.wrap("hello\r\n".getBytes(StandardCharsets.UTF_8)));
                byte[] seen = p.getInputStream().readNBytes(7);
                assertEquals("hello\r\n", new String(seen, StandardCharsets.UTF_8));
                OutputStream in = p.getOutputStream();
                in.write("ab\u0010x\u0010\u0011rest".getBytes(StandardCharsets.UTF_8));
                in.flush();
                DataInputStream frames = new DataInputStream(Channels.newInputStream(conn));
                assertEquals("an input frame, no window size without a terminal", 'd', frames.readByte());
                byte[] data = new byte[frames.readUnsignedShort()];
                frames.readFully(data);
                assertArrayEquals("ab\u0010x".getBytes(StandardCharsets.UTF_8), data);
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                assertEquals(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8), 0, p.exitValue());
                assertEquals("nothing after the detach keys", -1, frames.read());
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test(timeout = 30_000)
    public void theEndOfTheConnectionEndsItWithZero() throws Exception {
        assumeTrue("no " + PYTHON, Files.isExecutable(PYTHON));
        Path pod = tmp.newFolder("pod").toPath();
        try (ServerSocketChannel server = holder(pod)) {
            Process p = client(pod);
            try {
                try (SocketChannel conn = server.accept()) {
                    conn.write(ByteBuffer.wrap("last words".getBytes(StandardCharsets.UTF_8)));
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                p.getInputStream().transferTo(out);
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
                assertEquals("last words", out.toString(StandardCharsets.UTF_8));
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test(timeout = 30_000)
    public void anUnreachableTerminalIsOneLineAndFive() throws Exception {
        assumeTrue("no " + PYTHON, Files.isExecutable(PYTHON));
        Path pod = tmp.newFolder("pod").toPath();
        Process p = client(pod);
        p.getOutputStream().close();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(err, 5, p.exitValue());
        assertTrue(err, err.startsWith("bosun: cannot reach the terminal of app shell") && err.indexOf('\n') == err.length() - 1);
    }
}
