package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The start lock and the wait, with the launcher's native library, real lock files and real unix
 * sockets: the "agent" each start brings up is a listening socket in this JVM, which answers late
 * (after 300 ms), as a booting agent does, and names itself in the pid file.
 */
public class AgentStarterTest {
    private final List<ServerSocketChannel> servers = new CopyOnWriteArrayList<>();
    private Path dir;

    @BeforeClass
    public static void nativeLibrary() {
        if (System.getProperty("bosun.home") == null) {
            System.setProperty("bosun.home", Path.of("target/bosun").toAbsolutePath().toString());
        }
    }

    @After
    public void close() throws IOException {
        for (ServerSocketChannel s : servers) {
            s.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Listens on the socket after {@code delayMillis}, then writes this JVM's pid as the agent's. */
    private AgentStarter.Spawner lateAgent(AtomicInteger spawns, long delayMillis) {
        return new AgentStarter.Spawner() {
            @Override
            public long spawn(Path socket, Path log) {
                return startLate(spawns, delayMillis, socket);
            }

            @Override
            public boolean isStarting(long pid, Path socket) {
                return pid == ProcessHandle.current().pid() && spawns.get() > 0; // the "agent" is this JVM
            }
        };
    }

    private long startLate(AtomicInteger spawns, long delayMillis, Path socket) {
        spawns.incrementAndGet();
        {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(delayMillis);
                    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                    server.bind(UnixDomainSocketAddress.of(socket));
                    servers.add(server);
                    Files.writeString(AgentStarter.pidFile(socket), ProcessHandle.current().pid() + "\n");
                } catch (InterruptedException | IOException e) {
                    // the test is over (its directory gone)
                }
            });
            t.setDaemon(true);
            t.start();
            return ProcessHandle.current().pid();
        }
    }

    @Test
    public void aStartStillUnderWayAfterItsCommandGaveUpIsWaitedForNotRepeated() throws Exception {
        dir = Files.createTempDirectory("bosun-agent-starter-");
        Path socket = dir.resolve("agent.sock");
        AtomicInteger spawns = new AtomicInteger();
        AgentStarter.Spawner spawner = lateAgent(spawns, 1_500);
        AgentStarter.Result gaveUp = AgentStarter.connectOrStart(socket, spawner, 300);
        assertEquals(-1, gaveUp.fd());
        assertTrue(gaveUp.started());
        AgentStarter.Result next = AgentStarter.connectOrStart(socket, spawner, 10_000);
        assertTrue("connected: " + next, next.fd() >= 0);
        Native.close(next.fd());
        assertEquals("no second agent", 1, spawns.get());
        assertTrue("waited for the first start", !next.started() && next.pid() == ProcessHandle.current().pid());
    }

    @Test
    public void withoutAWaitTheCommandsRunInProcessWhileTheOneAgentBootsThenReachIt() throws Exception {
        dir = Files.createTempDirectory("bosun-agent-starter-");
        Path socket = dir.resolve("agent.sock");
        AtomicInteger spawns = new AtomicInteger();
        AgentStarter.Spawner spawner = lateAgent(spawns, 1_500);
        long t0 = System.nanoTime();
        AgentStarter.Result first = AgentStarter.connectOrStart(socket, spawner, 0);
        AgentStarter.Result second = AgentStarter.connectOrStart(socket, spawner, 0);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(-1, first.fd());
        assertTrue("booting, not failed: " + first, first.booting() && first.started() && first.failure() == null);
        assertTrue("the second finds the start under way: " + second, second.booting() && !second.started()
                && second.pid() == first.pid());
        assertEquals("one agent", 1, spawns.get());
        assertTrue("no wait: " + ms + " ms", ms < 1_000);
        AgentStarter.Result later = AgentStarter.connectOrStart(socket, spawner, 10_000);
        assertTrue("a later command reaches it: " + later, later.fd() >= 0 && !later.booting());
        Native.close(later.fd());
        assertEquals(1, spawns.get());
    }

    @Test
    public void concurrentFirstCommandsStartOneAgentAndAllReachIt() throws Exception {
        dir = Files.createTempDirectory("bosun-agent-starter-");
        Path socket = dir.resolve("run/agent.sock");
        AtomicInteger spawns = new AtomicInteger();
        AgentStarter.Spawner spawner = lateAgent(spawns, 300);
        int commands = 6;
        ExecutorService pool = Executors.newFixedThreadPool(commands);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<AgentStarter.Result>> results = new ArrayList<>();
        for (int i = 0; i < commands; i++) {
            results.add(pool.submit(() -> {
                go.await();
                return AgentStarter.connectOrStart(socket, spawner, 10_000);
            }));
        }
        go.countDown();
        int started = 0;
        for (Future<AgentStarter.Result> f : results) {
            AgentStarter.Result r = f.get(20, TimeUnit.SECONDS);
            assertNull(r.failure());
            assertTrue("connected: " + r, r.fd() >= 0);
            Native.close(r.fd());
            if (r.started()) {
                started++;
                assertEquals(AgentStarter.logFile(socket), r.log());
            }
        }
        pool.shutdown();
        assertEquals("one agent started", 1, spawns.get());
        assertEquals("one command says it started it", 1, started);
        assertEquals("the socket's directory is root's", "rwx------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertTrue(Files.exists(dir.resolve("run/agent.lock")));
    }

    @Test
    public void anAgentThatNeverAnswersFailsWithinTheTimeout() throws Exception {
        dir = Files.createTempDirectory("bosun-agent-starter-");
        Path socket = dir.resolve("agent.sock");
        AtomicInteger spawns = new AtomicInteger();
        long t0 = System.nanoTime();
        AgentStarter.Result r = AgentStarter.connectOrStart(socket, lateAgent(spawns, 60_000), 500);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(-1, r.fd());
        assertTrue(r.failure(), r.failure().contains("did not answer within 0 s") || r.failure().contains("did not answer"));
        assertTrue("waited " + ms + " ms", ms >= 500 && ms < 5_000);
    }

    @Test
    public void aDetachedAgentThatExitsAtOnceIsReportedWithItsLog() throws Exception {
        dir = Files.createTempDirectory("bosun-agent-starter-");
        Path socket = dir.resolve("agent.sock");
        // A real detached process that fails: /bin/sh -c 'echo ...; exit 3' in place of bin/bosun agent.
        AgentStarter.Spawner failing = (s, log) -> {
            Native.load();
            int pid = Native.spawnDetached("/", new String[] {"/bin/sh", "-c", "echo no platform here >&2; exit 3"},
                    new String[] {"PATH=/usr/bin:/bin"}, log.toString());
            assertTrue("spawned: " + pid, pid > 0);
            return pid;
        };
        AgentStarter.Result r = AgentStarter.connectOrStart(socket, failing, 10_000);
        assertEquals(-1, r.fd());
        assertTrue(r.failure(), r.failure().contains("exited; see " + AgentStarter.logFile(socket)));
        assertEquals("no platform here\n", Files.readString(AgentStarter.logFile(socket)));
        assertTrue("not this JVM's child", ProcessHandle.current().children().noneMatch(c -> c.pid() == r.pid()));
    }

    @Test
    public void whoStartsAnAgent() {
        assertNull(AgentStarter.whyNot("list", null, 0));
        assertNull(AgentStarter.whyNot("run", "on", 0));
        assertTrue(AgentStarter.whyNot("list", "off", 0).contains("BOSUN_AGENT=off"));
        assertTrue(AgentStarter.whyNot("list", "connect", 0).contains("starts none"));
        assertTrue(AgentStarter.whyNot("list", null, 1000).contains("only root"));
        for (String inProcess : List.of("agent", "api-service", "metadata-service", "shell", "help")) {
            assertTrue(inProcess, AgentStarter.whyNot(inProcess, null, 0).contains("runs in-process"));
        }
        assertTrue(AgentStarter.whyNot(null, null, 0).contains("runs in-process"));
    }

    @Test
    public void idleSettingAndSiblingFiles() {
        assertEquals(300, AgentStarter.idleExitSeconds(null));
        assertEquals(5, AgentStarter.idleExitSeconds("5"));
        assertEquals(0, AgentStarter.idleExitSeconds("0"));
        assertEquals("no wait: the first command runs in-process while the agent boots", 0,
                AgentStarter.startTimeoutMillis(null));
        assertEquals(0, AgentStarter.startTimeoutMillis("0"));
        assertEquals(90_000, AgentStarter.startTimeoutMillis("90"));
        try {
            AgentStarter.idleExitSeconds("5m");
            throw new AssertionError("5m accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("BOSUN_AGENT_IDLE_EXIT='5m' is not a number of seconds"));
        }
        assertEquals(Path.of("/run/bosun/agent.pid"), AgentStarter.pidFile(Path.of("/run/bosun/agent.sock")));
        assertEquals(Path.of("/x/my-socket.lock"), AgentStarter.lockFile(Path.of("/x/my-socket")));
    }
}
