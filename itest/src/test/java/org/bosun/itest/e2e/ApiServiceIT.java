package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runners.Parameterized.Parameters;


/**
 * {@code bosun api-service} (issue 16): rkt's read-only gRPC API, started by the test as root with
 * {@code --user=nobody} on a free loopback port and a socket of its own, read by a Java gRPC client
 * (over the socket and the port) while the CLI, in other processes, makes an oci pod, starts its app
 * and stops it: the pods and images listed and filtered, the running pod inspected (apps, network,
 * state), the events streamed as they happen, the app's log followed, an unknown pod NOT_FOUND.
 * The service is stand-alone, so the test runs in-process only.
 */
public class ApiServiceIT extends ApiClientCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    @Parameters(name = "{0}")
    public static Collection<Object[]> modes() {
        return List.<Object[]>of(new Object[] {Mode.IN_PROCESS});
    }

    public ApiServiceIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void asNobodyItShowsTheCliPodsImagesEventsLogs() throws Exception {
        // what nobody needs: to reach the data directory (bosun's own files are world-readable)
        Files.createDirectories(data);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = OciNetworkIT.freePort();
        // a socket's path is short: in a directory the service's user is given (root makes it for nobody)
        Path socketDir = Path.of("/tmp", "bosun-api-" + port + "-" + System.nanoTime());
        Path socket = socketDir.resolve("api.sock");
        Path log = work.resolve("api-service.err");
        Path out = work.resolve("api-service.out");
        ProcessBuilder pb = new ProcessBuilder(bosunArgs("api-service", "--listen-port=" + port, "--socket=" + socket,
                "--user=nobody"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(log.toFile())
                // run from the test's directory, so that its clean-up ends the service even if this thread cannot
                .directory(work.toFile());
        fixture.environment(pb.environment(), Mode.IN_PROCESS);
        Process service = pb.start();
        try {
            awaitListening(service, "bosun api-service", Duration.ofSeconds(90), socket, port, log, "listening on");
            assertEquals("the service runs as nobody:\n" + Files.readString(log), NOBODY, uid(service.pid()));
            assertEquals("rw-rw-rw-", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            onServiceAt(socket, port, service, out, log);
        } finally {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
                throw new AssertionError("bosun api-service did not stop on SIGTERM");
            }
            boolean left = Files.deleteIfExists(socket);
            Files.deleteIfExists(socketDir);
            if (left) {
                throw new AssertionError("bosun api-service left its socket " + socket);
            }
        }
    }

    private static int uid(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[1]);
            }
        }
        throw new AssertionError("no Uid in /proc/" + pid + "/status");
    }
}
