package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.ClassRule;
import org.junit.Test;


/**
 * The API service inside an agent (issue 16): {@code bosun agent --feature=api}, started by the test
 * on a socket directory it makes itself (root's alone, as /run/bosun is), serves the test's data
 * directory on its default socket beside the agent's and on a free loopback port. A user that is
 * not root (nobody, with curl speaking gRPC) calls it over the socket, but still cannot connect to
 * the agent's own socket; the Java client then checks what {@link ApiClientCase} does while the CLI,
 * in other processes (in-process, or through the fixture's agent), runs, inspects and stops a pod.
 */
public class AgentApiServiceIT extends ApiClientCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    public AgentApiServiceIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void anAgentWithTheApiFeatureServesTheCliPodsToAnyUser() throws Exception {
        int port = OciNetworkIT.freePort();
        // a socket's path is short; the directory the agent makes under it is root's alone
        Path base = Files.createTempDirectory(Path.of("/tmp"), "bosun-aa");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = base.resolve("run");
        Path agentSocket = run.resolve("agent.sock");
        Path apiSocket = run.resolve("api-service.sock");
        Path log = work.resolve("api-agent.err");
        Path out = work.resolve("api-agent.out");
        ProcessBuilder pb = new ProcessBuilder(fixture.bin.toString(), "--dir=" + data, "--local-config=" + config(port),
                "agent", "--feature=api", "--socket=" + agentSocket)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(log.toFile());
        pb.environment().remove("BOSUN_AGENT");
        pb.environment().remove("BOSUN_AGENT_SOCKET");
        pb.environment().put("BOSUN_CACHE_DIR", work.resolve("cache").toString());
        Files.createDirectories(data);
        Process agent = pb.start();
        try {
            awaitListening(agent, "bosun agent --feature=api", Duration.ofSeconds(120), apiSocket, port, log, null);
            // the socket's mode and its directory's are set last, once it listens
            eventually(Duration.ofSeconds(10), Duration.ofMillis(50), () -> Files.getPosixFilePermissions(run)
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE));
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(apiSocket)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(agentSocket)));
            assertEquals("the agent's directory: entered by all, listed by root only", "rwx--x--x",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(run)));

            // nobody: the API over the socket (GetInfo, in gRPC's framing), never the agent's socket
            Path empty = Files.write(base.resolve("empty-request"), new byte[5]);
            Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-r--r--"));
            CurlResult info = asNobody(empty, "--http2-prior-knowledge", "--unix-socket", apiSocket.toString(),
                    "-H", "content-type: application/grpc", "-H", "te: trailers", "--data-binary", "@-",
                    "http://localhost/v1alpha.PublicAPI/GetInfo");
            assertEquals("nobody calls GetInfo over " + apiSocket + ": " + info, 0, info.exit);
            assertTrue("the answer names the data directory: " + info, info.stdout.contains(data.toString()));
            CurlResult agentRefused = asNobody(empty, "--unix-socket", agentSocket.toString(), "http://localhost/");
            assertEquals("nobody cannot connect to the agent's socket: " + agentRefused, 7, agentRefused.exit);

            onServiceAt(apiSocket, port, agent, out, log);
        } finally {
            List<ProcessHandle> children = agent.descendants().toList();
            agent.destroy();
            boolean stopped = agent.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
            children.forEach(ProcessHandle::destroyForcibly);
            List<String> left = Files.isDirectory(run) ? E2e.entries(run) : List.of();
            E2e.deleteTree(base);
            assertTrue("the agent stops on SIGTERM", stopped);
            assertEquals("the agent left sockets behind", List.of(), left);
        }
    }

    /** The agent's settings: the CRI and the metadata service off (the fixture's agent has them), the API's port. */
    private Path config(int port) throws IOException {
        Path dir = Files.createDirectories(work.resolve("etc/configurations.d"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path file = dir.resolve("api.json");
        Files.writeString(file, "{\"org.bosun.cri.CriSocket\": {\"enabled\": false},\n"
                + " \"org.bosun.metadata.MetadataService\": {\"enabled\": false},\n"
                + " \"org.bosun.apiservice.ApiServiceServer\": {\"port\": " + port + "}}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return dir.getParent();
    }

    private record CurlResult(int exit, String stdout, String stderr) {
    }

    private CurlResult asNobody(Path stdin, String... curlArgs) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + NOBODY,
                "--regid=" + NOBODY, "--clear-groups", "curl", "-sS", "--max-time", "20"));
        command.addAll(List.of(curlArgs));
        Path out = work.resolve("curl.out");
        Path err = work.resolve("curl.err");
        Process p = new ProcessBuilder(command).redirectInput(stdin.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl as nobody did not end within 30 s");
        }
        return new CurlResult(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1),
                Files.readString(err));
    }
}
