package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import org.junit.rules.Timeout;

/**
 * The agent started on first use, as a root user meets it: no agent runs, a command starts one
 * (detached, never the caller's child) and goes through it, the next command just uses it, and it
 * leaves after its idle time without touching the pods it helped start. Each test has a private
 * agent socket (BOSUN_AGENT_SOCKET) and data directory in its own temporary directory, never the
 * host's /run/bosun; the clean-up kills any agent on that socket and deletes everything.
 */
public class AgentOnFirstUseIT {
    static final Duration CALL = Duration.ofSeconds(90);
    static final Pattern STARTED = Pattern.compile("bosun: started an agent \\(pid (\\d+)\\) at (\\S+) in (\\d+) ms;.*its log: (\\S+)");

    static Path dist = Path.of(System.getProperty("bosun.dist", "/work/main/launcher/target/bosun")).toAbsolutePath();
    static Path bin = dist.resolve("bin/bosun");
    static Path shared;
    static Path aci;

    @Rule
    public final TestName name = new TestName();
    @Rule
    public final Timeout timeout = Timeout.seconds(240);

    Path work;
    Path data;
    Path socket;
    private final List<BosunProcess> started = new ArrayList<>();

    @BeforeClass
    public static void images() throws Exception {
        shared = Files.createTempDirectory("bosun-firstuse-class-");
        aci = TestImages.busybox(Files.createDirectories(shared.resolve("images")));
    }

    @AfterClass
    public static void deleteImages() {
        if (shared != null) {
            E2e.deleteTree(shared);
        }
    }

    @Before
    public void workspace() throws IOException {
        // short: the socket's path must fit a unix socket's 107 bytes
        work = Files.createTempDirectory("bosun-firstuse-" + name.getMethodName().substring(0, 8) + "-");
        data = work.resolve("data");
        socket = work.resolve("run/agent.sock");
    }

    @After
    public void cleanUp() throws Exception {
        List<String> left = new ArrayList<>();
        for (BosunProcess p : started) {
            if (p.isAlive()) {
                left.add("still running: " + p.command);
                p.killTree();
            }
        }
        for (ProcessHandle agent : agents()) {
            agent.destroyForcibly(); // the test's own agent, on its private socket
            agent.onExit().get(10, TimeUnit.SECONDS);
        }
        List<ProcessHandle> stray = E2e.processesUnder(work);
        if (!stray.isEmpty()) {
            left.add("processes under " + work + ": " + E2e.kill(stray));
        }
        if (!E2e.podDirs(data).isEmpty()) {
            BosunResult gc = call(Map.of("BOSUN_AGENT", "off"), "gc", "--grace-period=0s", "--expire-prepared=0s");
            if (gc.exitCode != 0 || !E2e.podDirs(data).isEmpty()) {
                left.add("pods gc could not collect: " + E2e.podDirs(data) + "\n" + gc.describe());
                NetworkJanitor.releaseAll(data);
            }
        }
        for (String m : E2e.mountsUnder(work)) {
            left.add("mount left: " + m);
            E2e.unmount(m);
        }
        left.addAll(E2e.deleteTree(work));
        assertEquals("left behind", List.of(), left);
    }

    /** The agents serving this test's socket (the auto-started one runs {@code bosun agent --socket=SOCKET}). */
    List<ProcessHandle> agents() {
        String flag = "--socket=" + socket;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(flag)).orElse(false)).toList();
    }

    Map<String, String> environment(Map<String, String> env, Map<String, String> extra) {
        env.remove("BOSUN_AGENT");
        env.remove("BOSUN_JAVA_OPTS");
        env.remove("BOSUN_AGENT_IDLE_EXIT");
        env.remove("COLUMNS");
        env.put("BOSUN_AGENT_SOCKET", socket.toString());
        env.put("BOSUN_CACHE_DIR", shared.resolve("cache").toString());
        // These tests hand their first command to the agent it starts: they wait for its boot as the fixture
        // does (90 s; the default is no wait, see theFirstCommandRunsInProcessWhileTheAgentBoots).
        env.put("BOSUN_AGENT_START_TIMEOUT", "90");
        env.putAll(extra);
        return env;
    }

    BosunProcess start(Map<String, String> env, Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(bin.toString(), "--dir=" + dir));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        environment(pb.environment(), env);
        BosunProcess p = new BosunProcess(command, Mode.AGENT, pb.start());
        started.add(p);
        return p;
    }

    BosunResult call(Map<String, String> env, String... args) throws Exception {
        BosunProcess p = start(env, data, args);
        p.closeStdin();
        return p.await(CALL);
    }

    static void assertExit(int code, BosunResult r) {
        assertEquals(r.describe(), code, r.exitCode);
    }

    static long startedPid(BosunResult r) {
        Matcher m = STARTED.matcher(r.stderr);
        assertTrue("says it started an agent: " + r.describe(), m.find());
        return Long.parseLong(m.group(1));
    }

    static boolean eventually(Duration limit, java.util.function.BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return check.getAsBoolean();
    }

    static final Pattern BOOTING = Pattern.compile("bosun: started an agent \\(pid (\\d+)\\) at (\\S+); 'list' runs"
            + " in-process while it boots, the next commands go through it;.*its log: (\\S+)");

    @Test
    public void theFirstCommandRunsInProcessWhileTheAgentBoots() throws Exception {
        BosunResult first = call(Map.of("BOSUN_AGENT_START_TIMEOUT", ""), "--debug", "list");
        assertExit(0, first);
        Matcher m = BOOTING.matcher(first.stderr);
        assertTrue("says it started an agent and runs in-process: " + first.describe(), m.find());
        long pid = Long.parseLong(m.group(1));
        assertFalse("not handed to the agent: " + first.describe(), first.stderr.contains("handing 'list' to the agent"));
        assertTrue("booted in-process: " + first.describe(), first.stderr.contains("ready in"));
        ProcessHandle agent = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("the agent " + pid + " is gone"));
        assertTrue("the agent boots on after the command", agent.isAlive());
        assertTrue("it boots once the command has left the CPUs: " + agent.info().arguments().map(List::of),
                agent.info().arguments().map(a -> List.of(a).stream().anyMatch(x -> x.startsWith("--boot-after=")))
                        .orElse(false));
        assertTrue("its pid file names it once it serves", eventually(Duration.ofSeconds(90),
                () -> Files.exists(work.resolve("run/agent.pid"))));
        assertEquals(pid + "", Files.readString(work.resolve("run/agent.pid")).trim());
        BosunResult second = call(Map.of("BOSUN_AGENT_START_TIMEOUT", ""), "--debug", "list");
        assertExit(0, second);
        assertTrue(second.describe(), second.stderr.contains("bosun: handing 'list' to the agent at " + socket));
        assertEquals("one agent", 1, agents().size());
        assertEquals(first.stdout, second.stdout);
        System.err.println("bosun-firstuse: first list (in-process while the agent boots) " + first.took.toMillis()
                + " ms, second (through it) " + second.took.toMillis() + " ms");
    }

    @Test
    public void theFirstCommandStartsAnAgentAndLaterOnesGoThroughItWhateverTheirDir() throws Exception {
        BosunResult first = call(Map.of(), "--debug", "list");
        assertExit(0, first);
        long pid = startedPid(first);
        Matcher m = STARTED.matcher(first.stderr);
        assertTrue(m.find());
        assertEquals(socket.toString(), m.group(2));
        assertEquals(work.resolve("run/agent.log").toString(), m.group(4));
        assertTrue(first.describe(), first.stderr.contains("bosun: handing 'list' to the agent at " + socket));
        assertEquals("the pid file names it", pid + "", Files.readString(work.resolve("run/agent.pid")).trim());
        ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
        assertTrue(agent.isAlive());
        assertTrue("never the caller's child (nor the test's descendant)",
                ProcessHandle.current().descendants().noneMatch(p -> p.pid() == pid));
        assertFalse("in a session of its own", session(pid).equals(session(ProcessHandle.current().pid())));
        assertEquals("the agent serves the first command's --dir", 1, agents().size());
        assertTrue("started with it: " + agent.info().arguments().map(List::of),
                agent.info().arguments().map(a -> List.of(a).contains("--dir=" + data)).orElse(false));

        BosunResult second = call(Map.of(), "--debug", "list");
        assertExit(0, second);
        assertTrue(second.describe(), second.stderr.contains("bosun: handing 'list' to the agent at " + socket));
        assertFalse("no second agent: " + second.describe(), second.stderr.contains("started an agent"));
        assertFalse("no framework booted in the client: " + second.describe(), second.stderr.contains("ready in"));
        System.err.println("bosun-firstuse: first list (agent start included) " + first.took.toMillis()
                + " ms, second " + second.took.toMillis() + " ms");

        // Another --dir through the same agent: each command's own store.
        assertExit(0, call(Map.of(), "fetch", E2eCase.INSECURE, aci.toString()));
        Path other = work.resolve("other-data");
        BosunProcess otherList = start(Map.of(), other, "--debug", "image", "list");
        otherList.closeStdin();
        BosunResult inOther = otherList.await(CALL);
        assertExit(0, inOther);
        assertTrue(inOther.describe(), inOther.stderr.contains("handing 'image' to the agent"));
        BosunResult inData = call(Map.of(), "image", "list");
        assertExit(0, inData);
        assertTrue("the fetched image is in --dir=" + data + ": " + inData.describe(), inData.stdout.contains("busybox"));
        assertFalse("and not in --dir=" + other + ": " + inOther.describe(), inOther.stdout.contains("busybox"));
        assertEquals("still one agent", List.of(pid), agents().stream().map(ProcessHandle::pid).toList());
    }

    @Test
    public void agentOffNeverStartsOne() throws Exception {
        BosunResult r = call(Map.of("BOSUN_AGENT", "off"), "--debug", "list");
        assertExit(0, r);
        assertTrue("booted in-process: " + r.describe(), r.stderr.contains("ready in"));
        assertFalse(r.describe(), r.stderr.contains("agent"));
        assertFalse("nothing made beside the socket", Files.exists(socket.getParent()));
        assertEquals(List.of(), agents());
    }

    @Test
    public void aSocketPathTooLongForUnixIsSaidAtOnce() throws Exception {
        socket = work.resolve("x".repeat(100) + "/agent.sock");
        BosunResult r = call(Map.of(), "--debug", "list");
        assertExit(0, r);
        assertTrue(r.describe(), r.stderr.contains("could not start an agent: the socket path " + socket + " is "));
        assertTrue("ran in-process: " + r.describe(), r.stderr.contains("ready in"));
        assertEquals(List.of(), agents());
    }

    @Test
    public void connectUsesARunningAgentButStartsNone() throws Exception {
        BosunResult r = call(Map.of("BOSUN_AGENT", "connect"), "--debug", "list");
        assertExit(0, r);
        assertTrue(r.describe(), r.stderr.contains("none is started (BOSUN_AGENT=connect"));
        assertEquals(List.of(), agents());
    }

    @Test
    public void concurrentFirstCommandsStartExactlyOneAgent() throws Exception {
        List<BosunProcess> firsts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            firsts.add(start(Map.of(), data, "--debug", "list"));
        }
        int starters = 0;
        for (BosunProcess p : firsts) {
            p.closeStdin();
            BosunResult r = p.await(CALL);
            assertExit(0, r);
            assertTrue(r.describe(), r.stderr.contains("bosun: handing 'list' to the agent at " + socket));
            if (STARTED.matcher(r.stderr).find()) {
                starters++;
            }
        }
        assertEquals("one command started the agent", 1, starters);
        assertEquals("one agent runs", 1, agents().size());
    }

    @Test
    public void theAgentLeavesWhenIdleAndTheRunningPodStays() throws Exception {
        Map<String, String> shortIdle = Map.of("BOSUN_AGENT_IDLE_EXIT", "3");
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = start(shortIdle, data, "--debug", "run", E2eCase.INSECURE, E2eCase.FLY,
                "--uuid-file-save=" + uuidFile, aci.toString(), "--", "-c", "echo ready; sleep 120");
        run.closeStdin();
        assertEquals("ready", run.nextLine(CALL));
        long pid = startedPid(new BosunResult(run.command, Mode.AGENT, -1, "", run.stderrSoFar(), Duration.ZERO));
        assertTrue(run.stderrSoFar(), run.stderrSoFar().contains("handing 'run' to the agent"));
        ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();

        // A command that runs longer than the idle time keeps the agent: an events follower.
        BosunProcess follower = start(shortIdle, data, "events");
        Thread.sleep(6_000);
        assertTrue("the agent stays while a command runs", agent.isAlive());
        follower.killTree();
        follower.await(Duration.ofSeconds(10));

        assertTrue("the agent leaves within 3 s idle (+ a 1 s check) of the last command",
                eventually(Duration.ofSeconds(15), () -> !agent.isAlive()));
        assertFalse("its socket is gone", Files.exists(socket));
        assertFalse("its pid file is gone", Files.exists(work.resolve("run/agent.pid")));
        assertTrue(Files.readString(work.resolve("run/agent.log")).contains("bosun agent: idle, exiting"));

        assertTrue("the pod outlives the agent", run.isAlive());
        String uuid = Files.readString(uuidFile).trim();
        BosunResult status = call(Map.of("BOSUN_AGENT", "off"), "status", uuid);
        assertExit(0, status);
        assertTrue(status.describe(), status.stdout.contains("state=running"));
        assertEquals("the in-process status started no agent", List.of(), agents());

        BosunResult stop = call(Map.of("BOSUN_AGENT", "off"), "stop", uuid);
        assertExit(0, stop);
        run.await(Duration.ofSeconds(30));
        assertExit(0, call(Map.of("BOSUN_AGENT", "off"), "gc", "--grace-period=0s"));
    }

    /** /proc/PID/stat: pid (comm) state ppid pgrp session ... */
    private static String session(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3];
    }
}
