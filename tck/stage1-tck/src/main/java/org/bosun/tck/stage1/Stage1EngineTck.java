package org.bosun.tck.stage1;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppLifecycle;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.bosun.api.stage1.EngineCapabilities;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.command.protocol.CommandService;
import org.bosun.tck.common.TckPlatform;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * The stage1 engine TCK: the {@link Stage1Engine} service contract checked with real pods, run by a
 * bosun distribution with the engine under test. Subclass it in a test of your own (name it
 * {@code *IT} for failsafe) and say which engine to test, by overriding {@link #engineName()} or with
 * the system property {@value #ENGINE}; the engine's bundle is installed from {@link #engineBundles()}
 * or the system property {@value TckPlatform#BUNDLES}. The framework is the distribution's agent
 * platform ({@value TckPlatform#DIST}); pods are run by the distribution's {@code bin/bosun}, which
 * hands each command to that agent: as root, on a host with the engine's tools.
 * <p>
 * What it checks, each from the published contract (bundles/api, {@code org.bosun.api.stage1} and
 * {@code org.bosun.api.app}): the service and its properties; a pod that runs one app to its end, the
 * exit code of {@code bosun run} and of the app's record, and the app's output in {@code bosun logs}
 * (supervised engines) or on {@code bosun run}'s stdout (the others); stop of a running pod; gc
 * leaving no pod directory, mount, process or cgroup of the pod; the app operations of an engine that
 * registers {@link AppLifecycle} or the documented "not implemented" answer of one that does not; and
 * the refusal of a pod with more apps than the engine's capabilities allow.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class Stage1EngineTck {
    /** System property: the name of the engine under test ({@code bosun.stage1.name}). */
    public static final String ENGINE = "bosun.tck.engine";
    /** System property: extra flags for every pod, separated by spaces ({@code --net=none}). */
    public static final String POD_FLAGS = "bosun.tck.podFlags";

    @Inject
    protected BundleContext context;

    /** This test's temporary directory (deleted afterwards), with the data directory {@code data/}. */
    protected Path tmp;
    private Path data;
    private RuntimePaths paths;
    private final List<Process> launchers = new ArrayList<>();

    /** The engine under test: {@value #ENGINE} unless overridden. */
    protected String engineName() {
        String name = System.getProperty(ENGINE);
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("no engine to test: set the system property " + ENGINE
                    + " or override Stage1EngineTck.engineName()");
        }
        return name;
    }

    /**
     * Flags the TCK adds to each {@code run}, {@code prepare} and {@code app sandbox}: {@value #POD_FLAGS}
     * unless overridden (an engine with private networks and no CNI network on the host: {@code --net=none}).
     */
    protected List<String> podFlags() {
        String flags = System.getProperty(POD_FLAGS, "").strip();
        return flags.isEmpty() ? List.of() : Arrays.asList(flags.split("\\s+"));
    }

    /** The engine's bundles (jar paths or URLs) to install besides {@value TckPlatform#BUNDLES}; none by default. */
    protected List<String> engineBundles() {
        return List.of();
    }

    @Configuration
    public Option[] config() throws Exception {
        return TckPlatform.configuration(engineBundles(), Stage1EngineTck.class);
    }

    @Before
    public void createDirectories() throws Exception {
        tmp = Files.createTempDirectory("bosun-stage1-tck-" + engineName() + "-");
        data = tmp.resolve("data");
        paths = new RuntimePaths(data, tmp.resolve("etc"), tmp.resolve("lib"));
    }

    /** Ends what a failed test left running, collects its pods, then deletes the directory. */
    @After
    public void cleanUp() throws Exception {
        for (Process p : launchers) {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
        if (data != null && Files.isDirectory(data)) {
            withCli(cli -> {
                for (PodInfo pod : withPods(pods -> pods.list(paths))) {
                    if (pod.state() == PodState.RUNNING) {
                        TckPlatform.bosun(cli, tmp, "--dir", data.toString(), "stop", "--force", pod.uuid());
                    }
                }
                TckPlatform.eventually(30_000, () -> withPods(pods -> pods.list(paths)).stream()
                        .noneMatch(p -> p.state() == PodState.RUNNING));
                TckPlatform.bosun(cli, tmp, "--dir", data.toString(), "gc", "--grace-period=0s",
                        "--expire-prepared=0s");
                return null;
            });
        }
        TckPlatform.deleteQuietly(tmp);
    }

    // ---------------------------------------------------------------- the service

    /**
     * The engine is a {@link Stage1Engine} service with the properties of {@link Stage1EngineService}:
     * one service of that name, its name a String, its ABI version an Integer of 1 or more, its
     * capabilities possible; an engine with app operations registers {@link AppLifecycle} on the same
     * object.
     */
    @Test
    public void theEngineIsRegisteredWithItsDocumentedProperties() throws Exception {
        ServiceReference<Stage1Engine> ref = engineReference();
        Collection<ServiceReference<Stage1Engine>> all = context.getServiceReferences(Stage1Engine.class,
                "(" + Stage1EngineService.NAME + "=" + engineName() + ")");
        assertEquals("exactly one engine service is named " + engineName(), 1, all.size());
        Object name = ref.getProperty(Stage1EngineService.NAME);
        assertEquals("property " + Stage1EngineService.NAME, engineName(), name);
        Object abi = ref.getProperty(Stage1EngineService.ABI_VERSION);
        assertTrue("property " + Stage1EngineService.ABI_VERSION + " is an Integer: " + abi, abi instanceof Integer);
        assertTrue("the ABI version is 1 or more: " + abi, (Integer) abi >= 1);
        Stage1Engine engine = context.getService(ref);
        try {
            EngineCapabilities caps = engine.capabilities();
            assertNotNull("capabilities()", caps);
            assertTrue("an engine runs at least one app per pod: " + caps, caps.maxApps() >= 1);
            boolean registeredAsLifecycle = Arrays.asList((String[]) ref.getProperty(Constants.OBJECTCLASS))
                    .contains(AppLifecycle.class.getName());
            assertEquals("an engine object implementing AppLifecycle registers it, on the same service (and only then)",
                    engine instanceof AppLifecycle, registeredAsLifecycle);
        } finally {
            context.ungetService(ref);
        }
    }

    // ---------------------------------------------------------------- a pod's life

    /**
     * {@code bosun run} of one app that prints a line and exits 3: {@code bosun run} exits 3, the pod is
     * exited, the app's exit code is recorded (supervised engines), its output is in {@code bosun logs}
     * (supervised) or on {@code bosun run}'s stdout (unsupervised, where {@code bosun logs} says there is
     * no output kept); then gc leaves nothing of the pod.
     */
    @Test
    public void aPodRunsItsAppToItsEndWithItsExitCodeAndOutput() throws Exception {
        Path aci = TckPlatform.busyboxAci(tmp, "example.com/stage1-tck");
        String token = "tck-output-" + UUID.randomUUID();
        TckPlatform.awaitAgent(context);
        Process run = launch("run", aci.toString(), "--exec", "/bin/busybox", "--", "sh", "-c",
                "echo " + token + "; exit 3");
        assertTrue("bosun run ends within 120 s: " + output(), run.waitFor(120, TimeUnit.SECONDS));
        assertEquals("bosun run exits with the app's exit code: " + output(), 3, run.exitValue());

        // The pod's lock may be held a moment longer than bosun run lives (the engine's own clean-up).
        TckPlatform.eventually(30_000, () -> onlyPod().state() == PodState.EXITED);
        PodInfo pod = onlyPod();
        assertEquals("the pod is exited within 30 s of bosun run's end: " + pod, PodState.EXITED, pod.state());
        assertEquals("the pod records the engine that ran it", engineName(), pod.stage1().name());
        AppInfo app = pod.apps().get(0);
        boolean supervised = capabilities().supervised();
        TckPlatform.Run logs = withCli(cli -> TckPlatform.bosun(cli, tmp, "--dir", data.toString(), "logs", pod.uuid()));
        if (supervised) {
            assertEquals("a supervised engine records the app's exit code (apps/NAME/status): " + app,
                    Integer.valueOf(3), app.exitCode());
            assertEquals("the app is exited: " + app, AppState.EXITED, app.state());
            assertEquals("bosun logs: " + logs, 0, logs.exitCode());
            assertTrue("the app's output reaches its log (bosun logs): " + logs, logs.stdout().contains(token));
        } else {
            assertTrue("the app of an unsupervised engine writes to bosun run's stdout: " + output(),
                    Files.readString(tmp.resolve("launcher.out")).contains(token));
            assertEquals("bosun logs of a pod whose engine keeps no output: not found: " + logs, 2,
                    logs.exitCode());
        }
        gcAndCheckNothingIsLeft(pod);
    }

    /**
     * A running pod (an app that sleeps) is stopped by {@code bosun stop}: {@code bosun run} ends, the
     * pod's status says exited, and gc leaves nothing of it.
     */
    @Test
    public void aRunningPodStopsAndItsStatusSaysSo() throws Exception {
        Path aci = TckPlatform.busyboxAci(tmp, "example.com/stage1-tck");
        TckPlatform.awaitAgent(context);
        Process run = launch("run", aci.toString(), "--exec", "/bin/busybox", "--", "sleep", "300");
        PodInfo pod = awaitRunningApp(run);
        assertEquals("the pod runs", PodState.RUNNING, pod.state());
        assertTrue("the pod has a pid: " + pod, pod.pid() > 0);

        TckPlatform.Run stop = withCli(cli -> TckPlatform.bosun(cli, tmp, "--dir", data.toString(), "stop", pod.uuid()));
        assertEquals("bosun stop: " + stop, 0, stop.exitCode());
        assertTrue("bosun run ends after bosun stop: " + output(), run.waitFor(60, TimeUnit.SECONDS));
        assertTrue("the pod's status says exited", TckPlatform.eventually(30_000,
                () -> withPods(pods -> pods.status(paths, pod.uuid())).state() == PodState.EXITED));
        TckPlatform.Run status = withCli(cli -> TckPlatform.bosun(cli, tmp, "--dir", data.toString(), "status",
                pod.uuid()));
        assertEquals("bosun status: " + status, 0, status.exitCode());
        assertTrue("bosun status says exited: " + status, status.stdout().contains("state=exited"));
        gcAndCheckNothingIsLeft(pod);
    }

    // ---------------------------------------------------------------- app operations

    /**
     * An engine registered as {@link AppLifecycle}: a sandbox runs with no app; an app is added, started
     * (running), stopped (exited, with the exit code its TERM handler chose), removed; the sandbox is
     * stopped and collected, leaving nothing. An engine without it: {@code bosun app sandbox} answers
     * "not implemented" (exit code 8) naming the engine, and leaves no pod.
     */
    @Test
    public void appOperationsWorkOrAnswerNotImplemented() throws Exception {
        String[] objectClass = (String[]) engineReference().getProperty(Constants.OBJECTCLASS);
        boolean lifecycle = Arrays.asList(objectClass).contains(AppLifecycle.class.getName());
        TckPlatform.awaitAgent(context);
        Path uuidFile = tmp.resolve("sandbox.uuid");
        List<String> sandbox = new ArrayList<>(List.of("--dir", data.toString(), "app", "sandbox",
                "--stage1-name=" + engineName()));
        sandbox.addAll(podFlags());
        sandbox.add("--uuid-file-save=" + uuidFile);
        if (!lifecycle) {
            TckPlatform.Run refused = withCli(cli -> TckPlatform.bosun(cli, tmp, sandbox.toArray(String[]::new)));
            assertEquals("bosun app sandbox on an engine without app operations: not implemented: " + refused, 8,
                    refused.exitCode());
            assertTrue("the refusal names the engine: " + refused, refused.stderr().contains(engineName()));
            assertEquals("one line: " + refused, 1, refused.stderr().strip().lines().count());
            assertEquals("no pod is left", List.of(), withPods(pods -> pods.list(paths)));
            return;
        }
        Path aci = TckPlatform.busyboxAci(tmp, "example.com/stage1-tck-app");
        Process started = TckPlatform.launcher(context, tmp, tmp.resolve("launcher.out"), tmp.resolve("launcher.err"),
                sandbox);
        launchers.add(started);
        assertTrue("bosun app sandbox returns (detached): " + output(), started.waitFor(120, TimeUnit.SECONDS));
        assertEquals("bosun app sandbox: " + output(), 0, started.exitValue());
        String uuid = Files.readString(uuidFile).strip();
        PodInfo pod = withPods(pods -> pods.status(paths, uuid));
        assertEquals("the sandbox runs", PodState.RUNNING, pod.state());
        withCli(cli -> {
            String dir = data.toString();
            TckPlatform.Run add = TckPlatform.bosun(cli, tmp, "--dir", dir, "--insecure-options=image", "app", "add",
                    uuid, aci.toString(), "--name=tck", "--exec=/bin/busybox", "--", "sh", "-c",
                    "trap 'exit 7' TERM; while :; do /bin/busybox sleep 0.1; done");
            assertEquals("app add: " + add, 0, add.exitCode());
            TckPlatform.Run start = TckPlatform.bosun(cli, tmp, "--dir", dir, "app", "start", uuid, "--app=tck");
            assertEquals("app start: " + start, 0, start.exitCode());
            assertTrue("the started app runs", TckPlatform.eventually(30_000, () -> appState(uuid) == AppState.RUNNING));
            TckPlatform.Run stop = TckPlatform.bosun(cli, tmp, "--dir", dir, "app", "stop", uuid, "--app=tck",
                    "--timeout=10");
            assertEquals("app stop: " + stop, 0, stop.exitCode());
            assertTrue("the stopped app is exited", TckPlatform.eventually(30_000,
                    () -> appState(uuid) == AppState.EXITED));
            AppInfo app = withPods(pods -> pods.status(paths, uuid)).apps().stream()
                    .filter(a -> a.name().equals("tck")).findFirst().orElseThrow();
            assertEquals("the app's exit code is the one its TERM handler chose: " + app, Integer.valueOf(7),
                    app.exitCode());
            TckPlatform.Run rm = TckPlatform.bosun(cli, tmp, "--dir", dir, "app", "rm", uuid, "--app=tck");
            assertEquals("app rm: " + rm, 0, rm.exitCode());
            assertTrue("the removed app is gone from the pod", withPods(pods -> pods.status(paths, uuid)).apps()
                    .stream().noneMatch(a -> a.name().equals("tck")));
            TckPlatform.Run stopPod = TckPlatform.bosun(cli, tmp, "--dir", dir, "stop", uuid);
            assertEquals("stop of the sandbox: " + stopPod, 0, stopPod.exitCode());
            return null;
        });
        assertTrue("the sandbox exits", TckPlatform.eventually(60_000,
                () -> withPods(pods -> pods.status(paths, uuid)).state() == PodState.EXITED));
        gcAndCheckNothingIsLeft(pod);
    }

    // ---------------------------------------------------------------- bad input

    /**
     * A pod with more apps than {@link EngineCapabilities#maxApps()} is refused before anything is
     * written: invalid argument (exit code 4), one line naming the engine, no pod left. Checked for
     * engines of at most 8 apps per pod.
     */
    @Test
    public void aPodWithMoreAppsThanTheEngineRunsIsRefused() throws Exception {
        int max = capabilities().maxApps();
        org.junit.Assume.assumeTrue("the engine runs " + max + " apps per pod; the TCK tries up to 8", max <= 8);
        Path aci = TckPlatform.busyboxAci(tmp, "example.com/stage1-tck");
        List<String> args = new ArrayList<>(List.of("--dir", data.toString(), "--insecure-options=image", "prepare",
                "--stage1-name=" + engineName()));
        args.addAll(podFlags());
        for (int i = 0; i <= max; i++) {
            args.addAll(List.of(aci.toString(), "--name=app" + i, "---"));
        }
        args.remove(args.size() - 1);
        TckPlatform.Run refused = withCli(cli -> TckPlatform.bosun(cli, tmp, args.toArray(String[]::new)));
        assertEquals("prepare of " + (max + 1) + " apps: invalid argument: " + refused, 4, refused.exitCode());
        assertTrue("the refusal names the engine: " + refused, refused.stderr().contains(engineName()));
        assertEquals("one line: " + refused, 1, refused.stderr().strip().lines().count());
        assertEquals("no pod is left", List.of(), withPods(pods -> pods.list(paths)));
    }

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    protected interface WithService<S, R> {
        R apply(S service) throws Exception;
    }

    private <R> R withCli(WithService<CommandService, R> work) throws Exception {
        ServiceReference<CommandService> ref = TckPlatform.awaitService(context, CommandService.class, null, 60);
        try {
            return work.apply(context.getService(ref));
        } finally {
            context.ungetService(ref);
        }
    }

    private <R> R withPods(WithService<PodService, R> work) {
        try {
            ServiceReference<PodService> ref = TckPlatform.awaitService(context, PodService.class, null, 60);
            try {
                return work.apply(context.getService(ref));
            } finally {
                context.ungetService(ref);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private ServiceReference<Stage1Engine> engineReference() throws InterruptedException {
        return TckPlatform.awaitService(context, Stage1Engine.class,
                "(" + Stage1EngineService.NAME + "=" + engineName() + ")", 60);
    }

    private EngineCapabilities capabilities() throws InterruptedException {
        ServiceReference<Stage1Engine> ref = engineReference();
        try {
            return context.getService(ref).capabilities();
        } finally {
            context.ungetService(ref);
        }
    }

    private AppState appState(String uuid) {
        return withPods(pods -> pods.status(paths, uuid)).apps().stream().filter(a -> a.name().equals("tck"))
                .map(AppInfo::state).findFirst().orElse(null);
    }

    /** Starts {@code bin/bosun --dir DATA --insecure-options=image VERB --stage1-name=ENGINE FLAGS ARGS}. */
    private Process launch(String verb, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("--dir", data.toString(), "--insecure-options=image", verb,
                "--stage1-name=" + engineName()));
        command.addAll(podFlags());
        command.addAll(List.of(args));
        Process p = TckPlatform.launcher(context, tmp, tmp.resolve("launcher.out"), tmp.resolve("launcher.err"), command);
        launchers.add(p);
        return p;
    }

    private String output() {
        try {
            return "\n--- bosun stdout\n" + read(tmp.resolve("launcher.out")) + "--- bosun stderr\n"
                    + read(tmp.resolve("launcher.err"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private PodInfo onlyPod() {
        List<PodInfo> pods = withPods(p -> p.list(paths));
        assertEquals("one pod in " + data + ": " + pods, 1, pods.size());
        return pods.get(0);
    }

    /** The one pod, once it runs and its app has started (its {@code started} file). */
    private PodInfo awaitRunningApp(Process run) throws Exception {
        PodInfo[] seen = new PodInfo[1];
        boolean ok = TckPlatform.eventually(120_000, () -> {
            if (!run.isAlive()) {
                return true;
            }
            List<PodInfo> pods = withPods(p -> p.list(paths));
            if (pods.size() != 1) {
                return false;
            }
            seen[0] = pods.get(0);
            return seen[0].state() == PodState.RUNNING && seen[0].apps().get(0).state() == AppState.RUNNING;
        });
        if (!run.isAlive()) {
            fail("bosun run ended (exit code " + run.exitValue() + ") before its app ran: " + seen[0] + output());
        }
        if (!ok) {
            fail("no running pod with a running app within 120 s: " + seen[0] + output());
        }
        return seen[0];
    }

    /**
     * {@code bosun gc --grace-period=0s}, then: no pod, no directory under {@code pods/}, no mount under
     * the data directory or naming the pod, no process naming the pod, no cgroup named after it.
     */
    private void gcAndCheckNothingIsLeft(PodInfo pod) throws Exception {
        TckPlatform.Run gc = withCli(cli -> TckPlatform.bosun(cli, tmp, "--dir", data.toString(), "gc",
                "--grace-period=0s"));
        assertEquals("bosun gc: " + gc, 0, gc.exitCode());
        assertEquals("gc collected the pod", List.of(), withPods(pods -> pods.list(paths)));
        assertFalse(pod.directory() + " is gone", Files.exists(pod.directory()));
        try (Stream<Path> states = Files.list(data.resolve("pods"))) {
            for (Path state : (Iterable<Path>) states::iterator) {
                try (Stream<Path> left = Files.list(state)) {
                    assertEquals("nothing is left under " + state, List.of(), left.toList());
                }
            }
        }
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(data.toString()) || l.contains(pod.uuid())).toList();
        assertEquals("no mount of the pod is left", List.of(), mounts);
        List<String> processes = ProcessHandle.allProcesses()
                .map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains(pod.uuid()) || c.contains(pod.directory().toString())).toList();
        assertEquals("no process of the pod is left", List.of(), processes);
        List<Path> cgroups;
        try (Stream<Path> walk = Files.walk(Path.of("/sys/fs/cgroup"), 4)) {
            cgroups = walk.filter(p -> p.getFileName() != null && p.getFileName().toString().contains(pod.uuid()))
                    .toList();
        }
        assertEquals("no cgroup of the pod is left", List.of(), cgroups);
    }
}
