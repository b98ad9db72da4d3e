package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import org.junit.Rule;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;
import org.junit.rules.Timeout;
import org.junit.runner.Description;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;
import org.junit.runners.model.Statement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The base of the end-to-end tests: each test runs once per {@link Mode}, against the built
 * distribution, exactly as a user would (a process, its arguments, environment, exit code and
 * output). Each test gets its own work directory (the commands' working directory) with the data
 * directory {@code data/} inside it, passed as {@code --dir}; afterwards pods are collected, any
 * process still running from it is killed, and the directory is deleted, whatever the outcome. If
 * {@code bosun gc} fails twice (the second time in-process) and pods are left, their networks are
 * released from their own records ({@link NetworkJanitor}) before the directory goes, and the test
 * fails: deleting the records would leave netns, leases and iptables rules on the host for good.
 * A test marked {@link AgentModeOnly} runs only through the agent.
 */
@RunWith(Parameterized.class)
@Parameterized.UseParametersRunnerFactory(ModeRunnerFactory.class)
public abstract class E2eCase {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
    static final String INSECURE = "--insecure-options=image";
    static final String FLY = "--stage1-name=fly";
    static final Pattern UUID_PATTERN = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(name = "{0}")
    public static Collection<Object[]> modes() {
        return List.of(new Object[] {Mode.IN_PROCESS}, new Object[] {Mode.AGENT});
    }

    protected final Mode mode;
    protected final BosunFixture fixture;
    /** The test's own directory: working directory of every command; holds data/ and scratch files. */
    protected Path work;
    /** The data directory, {@code --dir}. */
    protected Path data;
    private final List<BosunProcess> started = Collections.synchronizedList(new ArrayList<>());

    @Rule
    public final TestRule rules;

    protected E2eCase(BosunFixture fixture, Mode mode) {
        this.fixture = fixture;
        this.mode = mode;
        this.rules = RuleChain.outerRule(this::workspace).around(Timeout.seconds(240));
    }

    // ------------------------------------------------------------------ the per-test directory

    private Statement workspace(Statement base, Description description) {
        return new Statement() {
            @Override
            public void evaluate() throws Throwable {
                work = Files.createTempDirectory("bosun-e2e-" + description.getMethodName().replaceAll("[^A-Za-z0-9]+", "-"));
                data = work.resolve("data");
                Throwable failure = null;
                try {
                    base.evaluate();
                } catch (Throwable t) {
                    failure = t;
                }
                List<String> leftovers;
                try {
                    leftovers = cleanUp();
                } catch (Throwable t) {
                    leftovers = new ArrayList<>(List.of("clean-up failed: " + t));
                    E2e.deleteTree(work);
                }
                if (failure != null) {
                    if (!leftovers.isEmpty()) {
                        System.err.println("bosun-e2e: cleaned up after failed " + description + ": " + leftovers);
                    }
                    throw failure;
                }
                if (!leftovers.isEmpty()) {
                    throw new AssertionError("the test left something behind: " + String.join("\n  ", leftovers));
                }
            }
        };
    }

    /** Best-effort gc, then kill, unmount, delete. Returns what had to be cleaned that should not have been there. */
    private List<String> cleanUp() {
        List<String> leftovers = new ArrayList<>();
        List<BosunProcess> processes;
        synchronized (started) {
            processes = new ArrayList<>(started);
        }
        for (BosunProcess p : processes) {
            if (p.isAlive()) {
                leftovers.add("still running: " + p.command.get(p.command.size() - 1) + " pid " + p.pid());
                p.killTree();
            }
        }
        List<ProcessHandle> stray = E2e.processesUnder(work);
        if (!stray.isEmpty()) {
            leftovers.add("processes running from " + work + ": " + E2e.kill(stray));
        }
        if (!E2e.podDirs(data).isEmpty()) {
            // The test's mode first; then in-process, in case the agent is what fails.
            for (Mode m : mode == Mode.IN_PROCESS ? List.of(Mode.IN_PROCESS, Mode.IN_PROCESS) : List.of(mode, Mode.IN_PROCESS)) {
                if (collectGarbage(m)) {
                    break;
                }
            }
        }
        List<String> pods = E2e.podDirs(data);
        if (!pods.isEmpty()) {
            // Deleting the directory would lose the only record of the pods' namespaces, leases and rules.
            List<String> released = NetworkJanitor.releaseAll(data);
            System.err.println("bosun-e2e: LEAK: bosun gc left pods " + pods + " in " + data
                    + "; released their networks by hand: " + released);
            leftovers.add("pods gc could not collect: " + pods + "; released by hand: " + released);
        }
        List<String> held = NetworkJanitor.releaseHeldUnder(work);
        if (!held.isEmpty()) {
            leftovers.add("host records of pods under " + work + " that gc did not remove; released by hand: " + held);
        }
        for (String m : E2e.mountsUnder(work)) {
            leftovers.add("mount left: " + m);
            E2e.unmount(m);
        }
        List<String> undeletable = E2e.deleteTree(work);
        if (!undeletable.isEmpty()) {
            leftovers.add("cannot delete: " + undeletable);
        }
        return leftovers;
    }

    /** One clean-up gc in mode {@code m}; whether it succeeded and left no pod. */
    private boolean collectGarbage(Mode m) {
        try {
            BosunResult gc = call(m, work, null, bosunArgs("gc", "--grace-period=0s", "--expire-prepared=0s"));
            if (gc.exitCode != 0) {
                System.err.println("bosun-e2e: clean-up gc (" + m + ") failed:\n" + gc.describe());
            }
            return gc.exitCode == 0 && E2e.podDirs(data).isEmpty();
        } catch (Throwable t) {
            System.err.println("bosun-e2e: clean-up gc (" + m + ") failed: " + t);
            return false;
        }
    }

    // ------------------------------------------------------------------ running bosun

    List<String> bosunArgs(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(fixture.bin.toString());
        cmd.add("--dir");
        cmd.add(data.toString());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** {@code bosun --dir DATA args...} in this test's mode, stdin from /dev/null-like empty input. */
    BosunResult bosun(String... args) throws Exception {
        return call(mode, work, null, bosunArgs(args));
    }

    BosunResult bosunIn(Mode m, String... args) throws Exception {
        return call(m, work, null, bosunArgs(args));
    }

    BosunResult bosunWithInput(String stdin, String... args) throws Exception {
        return call(mode, work, stdin, bosunArgs(args));
    }

    /** Starts {@code bosun --dir DATA args...} in this test's mode and leaves it running. */
    BosunProcess startBosun(String... args) throws IOException {
        return start(mode, bosunArgs(args));
    }

    BosunProcess start(Mode m, List<String> command) throws IOException {
        BosunProcess p = fixture.start(m, command, work);
        started.add(p);
        return p;
    }

    BosunResult call(Mode m, Path cwd, String stdin, List<String> command) throws Exception {
        BosunProcess p = fixture.start(m, command, cwd);
        started.add(p);
        if (stdin != null) {
            p.writeStdin(stdin);
        }
        p.closeStdin();
        return p.await(CALL_TIMEOUT);
    }

    /**
     * Runs the calls two at a time (the machines have two cores); results in the order given. If one
     * fails, the others are abandoned and waited for before the failure is thrown.
     */
    static <T> List<T> parallel(List<Callable<T>> calls) throws Exception {
        return parallel(calls, 2);
    }

    /** Runs {@code calls} with {@code threads} at once; the first failure is thrown. */
    static <T> List<T> parallel(List<Callable<T>> calls, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> c : calls) {
                futures.add(pool.submit(c));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw new AssertionError(e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
            if (!pool.awaitTermination(CALL_TIMEOUT.toSeconds() + 30, java.util.concurrent.TimeUnit.SECONDS)) {
                System.err.println("bosun-e2e: parallel calls still running after a failure");
            }
        }
    }

    // ------------------------------------------------------------------ what the tests look at

    String aci() {
        return fixture.busyboxAci.toString();
    }

    /** {@code bosun list --format=json}, parsed; the command must succeed and say nothing on stderr. */
    JsonNode list() throws Exception {
        BosunResult r = bosun("list", "--format=json");
        assertExit(0, r);
        assertEquals("list --format=json wrote on stderr:\n" + r.describe(), "", r.stderr);
        JsonNode pods = JSON.readTree(r.stdout);
        assertTrue("not a JSON array:\n" + r.describe(), pods.isArray());
        return pods;
    }

    static List<String> states(JsonNode pods) {
        List<String> states = new ArrayList<>();
        pods.forEach(p -> states.add(p.path("state").asText()));
        return states;
    }

    static List<String> names(JsonNode pods) {
        List<String> names = new ArrayList<>();
        pods.forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    /** No pod is listed and no directory is left under any {@code pods/<state>/}. */
    void assertNoPods() throws Exception {
        JsonNode pods = list();
        assertEquals("pods still listed: " + pods, 0, pods.size());
        assertEquals("pod directories left under " + data.resolve("pods"), List.of(), E2e.podDirs(data));
    }

    static void assertExit(int expected, BosunResult r) {
        if (r.exitCode != expected) {
            fail("expected exit code " + expected + ", got " + r.exitCode + ":\n" + r.describe());
        }
    }

    /** The DESIGN.md rule for bad input: a non-zero exit and exactly one line on stderr, no stack trace. */
    static String oneClearLine(BosunResult r) {
        List<String> problems = new ArrayList<>();
        if (r.exitCode == 0) {
            problems.add("exit code 0");
        }
        List<String> lines = r.stderrLines();
        if (lines.size() != 1) {
            problems.add(lines.size() + " lines on stderr instead of one");
        }
        if (!r.stderr.isEmpty() && !r.stderr.endsWith("\n")) {
            problems.add("stderr does not end with a newline");
        }
        if (r.stderr.contains("\tat ") || r.stderr.contains("Exception") || r.stderr.contains("internal error")) {
            problems.add("a stack trace or internal error on stderr");
        }
        if (!lines.isEmpty() && lines.get(0).isBlank()) {
            problems.add("the line is empty");
        }
        return problems.isEmpty() ? null : String.join(", ", problems);
    }

    static void assertOneClearLine(BosunResult r) {
        String problem = oneClearLine(r);
        if (problem != null) {
            fail(problem + ":\n" + r.describe());
        }
    }

    static String uuidIn(BosunResult r) {
        String out = r.stdout.trim();
        assertTrue("expected one pod UUID on stdout:\n" + r.describe(), UUID_PATTERN.matcher(out).matches());
        assertEquals("expected exactly the UUID and a newline on stdout:\n" + r.describe(), out + "\n", r.stdout);
        return out;
    }

    /** Polls until {@code done} or the timeout; returns whether it happened. */
    static boolean eventually(Duration timeout, Duration every, Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (done.call()) {
                return true;
            }
            Thread.sleep(every.toMillis());
        } while (System.nanoTime() < deadline);
        return done.call();
    }

    static void assertContains(String what, String needle, BosunResult r) {
        assertTrue(what + ": expected '" + needle + "' in the output:\n" + r.describe(),
                r.stdout.contains(needle) || r.stderr.contains(needle));
    }

    static void assertLine(String line, BosunResult r) {
        assertTrue("expected the line '" + line + "':\n" + r.describe(), r.stdoutLines().contains(line));
    }

    static void assertNoLineStartingWith(String prefix, BosunResult r) {
        assertFalse("expected no line starting with '" + prefix + "':\n" + r.describe(),
                r.stdoutLines().stream().anyMatch(l -> l.startsWith(prefix)));
    }
}
