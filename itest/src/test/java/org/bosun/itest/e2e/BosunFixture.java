package org.bosun.itest.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.rules.ExternalResource;

/**
 * What one test class shares: the distribution, a Felix bundle cache ({@code BOSUN_CACHE_DIR}),
 * the test images, and one {@code bosun agent} on a socket of its own. Everything lives in one
 * temporary directory that is deleted afterwards; the agent is stopped (SIGTERM, then SIGKILL)
 * and never outlives the class, not even when the test JVM exits early (a shutdown hook).
 */
public final class BosunFixture extends ExternalResource {
    static final Duration AGENT_START_TIMEOUT = Duration.ofSeconds(90);
    static final Duration AGENT_STOP_TIMEOUT = Duration.ofSeconds(20);

    final Path dist = Path.of(System.getProperty("bosun.dist", "/work/main/launcher/target/bosun")).toAbsolutePath();
    final Path bin = dist.resolve("bin/bosun");
    Path root;
    Path cache;
    Path socket;
    Path images;
    Path busyboxAci;
    private Path largeAci;
    private Process agent;
    private Thread shutdownHook;
    /** Problems that are no test's fault but the product's: reported when the class ends. */
    final List<String> classProblems = new ArrayList<>();

    @Override
    protected void before() throws Throwable {
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " is not executable; build the launcher module first (bosun.dist="
                    + dist + ")");
        }
        root = Files.createTempDirectory("bosun-e2e-class-");
        cache = root.resolve("cache");
        images = Files.createDirectories(root.resolve("images"));
        socket = root.resolve("agent/agent.sock");
        busyboxAci = TestImages.busybox(images);
        startAgent();
    }

    @Override
    protected void after() {
        List<String> problems = new ArrayList<>(classProblems);
        try {
            problems.addAll(stopAgent());
        } finally {
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException ignored) {
                    // already shutting down
                }
            }
            List<ProcessHandle> left = E2e.processesUnder(root);
            if (!left.isEmpty()) {
                problems.add("processes left in " + root + ": " + E2e.kill(left));
            }
            for (String m : E2e.mountsUnder(root)) {
                problems.add("mount left: " + m);
                E2e.unmount(m);
            }
            problems.addAll(E2e.deleteTree(root));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("after the test class: " + String.join("\n  ", problems));
        }
    }

    /** The environment of a {@code bosun} call in {@code mode}; nothing of the caller's bosun settings leaks in. */
    void environment(Map<String, String> env, Mode mode) {
        env.remove("BOSUN_AGENT");
        env.remove("BOSUN_AGENT_SOCKET");
        env.remove("BOSUN_AGENT_IDLE_EXIT");
        env.remove("BOSUN_JAVA_OPTS");
        env.remove("COLUMNS");
        env.put("BOSUN_CACHE_DIR", cache.toString());
        if (mode == Mode.IN_PROCESS) {
            env.put("BOSUN_AGENT", "off");
        } else {
            env.put("BOSUN_AGENT_SOCKET", socket.toString());
            // The fixture's agent and no other: should it have died, a command must not start an
            // untracked one on the fixture's socket (it runs in-process, and the mode check fails).
            env.put("BOSUN_AGENT", "connect");
        }
    }

    /** Starts a command (bin/bosun or a wrapper around it) in {@code mode}, in directory {@code cwd}. */
    BosunProcess start(Mode mode, List<String> command, Path cwd) throws IOException {
        if (mode == Mode.AGENT && (agent == null || !agent.isAlive())) {
            throw new AssertionError("the bosun agent is not running (any more"
                    + (agent == null ? "" : "; it exited with code " + agent.exitValue())
                    + "): the agent mode would silently fall back to in-process; agent output:\n" + agentLog());
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        environment(pb.environment(), mode);
        return new BosunProcess(List.copyOf(command), mode, pb.start());
    }

    /** The data directory of the agent's own services (the CRI server's images and pods). */
    Path agentData() {
        return root.resolve("agent-data");
    }

    /** The 100 MB image, built on first use and kept for the class. */
    synchronized Path largeAci() throws IOException, InterruptedException {
        if (largeAci == null) {
            largeAci = TestImages.large(images);
        }
        return largeAci;
    }

    private void startAgent() throws Exception {
        Files.createDirectories(socket.getParent());
        // --dir gives the agent's own services (the CRI server) a data directory in the fixture's
        // tree, never the host's /var/lib/bosun; commands keep naming their own --dir.
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "--dir=" + agentData(), "agent", "--socket=" + socket)
                .directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(root.resolve("agent.out").toFile())
                .redirectError(root.resolve("agent.err").toFile());
        environment(pb.environment(), Mode.IN_PROCESS);
        pb.environment().remove("BOSUN_AGENT");
        agent = pb.start();
        Process started = agent;
        shutdownHook = new Thread(() -> {
            started.descendants().forEach(ProcessHandle::destroyForcibly);
            started.destroyForcibly();
        }, "bosun-e2e-agent-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        long deadline = System.nanoTime() + AGENT_START_TIMEOUT.toNanos();
        String last = "the socket " + socket + " never appeared";
        while (System.nanoTime() < deadline) {
            if (!agent.isAlive()) {
                throw new IllegalStateException("bosun agent exited with " + agent.exitValue() + ":\n" + agentLog());
            }
            if (Files.exists(socket)) {
                BosunProcess version = start(Mode.AGENT, List.of(bin.toString(), "version"), root);
                BosunResult r = version.await(Duration.ofSeconds(60));
                if (r.exitCode == 0 && r.stdout.contains("Features: agent")) {
                    return;
                }
                last = r.describe();
            }
            Thread.sleep(200);
        }
        stopAgent();
        throw new IllegalStateException("bosun agent did not answer within " + AGENT_START_TIMEOUT.toSeconds()
                + " s; last attempt: " + last + "\nagent log:\n" + agentLog());
    }

    /** The agent's pid, for a test that kills it (and then calls {@link #restartAgent}). */
    synchronized long agentPid() {
        return agent.pid();
    }

    /** A new agent on the same socket after a test killed the last one (kill -9, which leaves the socket file). */
    synchronized void restartAgent() throws Exception {
        if (agent != null) {
            agent.destroyForcibly();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        if (shutdownHook != null) {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        startAgent();
    }

    /** SIGTERM, then SIGKILL; returns the product problems seen (an agent that ignores SIGTERM, a stale socket). */
    private List<String> stopAgent() {
        List<String> problems = new ArrayList<>();
        if (agent == null) {
            return problems;
        }
        List<ProcessHandle> descendants = agent.descendants().toList();
        if (!agent.isAlive()) {
            problems.add("the bosun agent had already exited with code " + agent.exitValue()
                    + " before the test class ended (tests in agent mode then fail); its output:\n" + agentLog());
        }
        long t0 = System.nanoTime();
        agent.destroy();
        try {
            if (!agent.waitFor(AGENT_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                problems.add("bosun agent did not exit within " + AGENT_STOP_TIMEOUT.toSeconds()
                        + " s of SIGTERM; killed it");
                agent.destroyForcibly();
                agent.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            agent.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.err.println("bosun-e2e: agent stopped " + ms + " ms after SIGTERM, exit code "
                + (agent.isAlive() ? "(alive!)" : agent.exitValue()));
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                problems.add("agent child pid " + d.pid() + " outlived it: " + E2e.cmdline(d.pid()));
                d.destroyForcibly();
            }
        }
        if (Files.exists(socket)) {
            problems.add("the stopped agent left its socket " + socket + " behind");
        }
        String log = agentLog();
        if (!log.isBlank()) {
            System.err.println("bosun-e2e: agent output:\n" + log);
        }
        agent = null;
        return problems;
    }

    String agentLog() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("agent.out", "agent.err")) {
            try {
                String text = Files.readString(root.resolve(name));
                if (!text.isEmpty()) {
                    sb.append("--- ").append(name).append(" ---\n").append(text);
                }
            } catch (IOException ignored) {
                // not there
            }
        }
        return sb.toString();
    }
}
