package org.bosun.security.tpm;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.bosun.host.files.FileTree;

/**
 * A real software TPM 2.0 ({@code swtpm socket}, MACHINE-NOTES §8) on free TCP ports of
 * 127.0.0.1, with its state in a temporary directory; {@link #close()} stops it and deletes the
 * state, and a shutdown hook does so if the test JVM ends first. Public, in this module's test jar,
 * for the integration tests too.
 */
public final class Swtpm implements AutoCloseable {
    final Path state;
    final int port;
    private final Process process;
    private final Thread hook;

    private Swtpm(Path state, int port, Process process) {
        this.state = state;
        this.port = port;
        this.process = process;
        this.hook = new Thread(process::destroyForcibly, "swtpm-killer");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The tpm2-tools TCTI that reaches it. */
    public String tcti() {
        return "swtpm:host=127.0.0.1,port=" + port;
    }

    public static Swtpm start() throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePortPair();
            Path state = Files.createTempDirectory("bosun-swtpm-");
            Process p = new ProcessBuilder("swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + state,
                    "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                    "--flags", "not-need-init,startup-clear")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(state.resolve("swtpm.out").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.isAlive() && System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new Swtpm(state, port, p);
                } catch (IOException e) {
                    last = e;
                    Thread.sleep(20);
                }
            }
            String out = Files.exists(state.resolve("swtpm.out")) ? Files.readString(state.resolve("swtpm.out")) : "";
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            FileTree.delete(state);
            last = new IOException("swtpm on port " + port + " did not come up: " + out.strip());
        }
        throw last;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            Runtime.getRuntime().removeShutdownHook(hook);
        } finally {
            FileTree.delete(state);
        }
    }

    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            if (port < 65535) {
                try (ServerSocket next = new ServerSocket(port + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // try another pair
                }
            }
        }
        throw new IOException("no two free consecutive ports on 127.0.0.1");
    }
}
