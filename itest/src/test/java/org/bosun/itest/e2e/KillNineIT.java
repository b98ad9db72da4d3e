package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * kill -9 of the client, the agent and the pod's own process (issue 12, item 5 and the kill -9
 * matrix). The pod is the process of {@code bosun run}, in-process and through the agent alike (the
 * launcher execs the engine's command): when it dies, the pod ends with it, and {@code stop} ends
 * whatever could be left; a stop that could not end a pod says so. Every trial of the matrix kills
 * one process at a named point of an operation (the data directory's {@code test-pause}, see core
 * {@code TestPauses}: no sleeps), then gc must leave nothing of the trial's pods on the host while a
 * bystander pod runs on untouched.
 */
public class KillNineIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String OCI = "--stage1-name=oci";
    static final String NSPAWN = "--stage1-name=nspawn";
    /** An app that only SIGKILL ends: whatever ends it was not a polite stop. */
    static final String STUBBORN = "trap '' TERM INT HUP; echo ready; while :; do sleep 1; done";
    static final Duration POD_END = Duration.ofSeconds(15);
    static final Path HELD = HostResourcesIT.HELD;

    public KillNineIT(Mode mode) {
        super(FIXTURE, mode);
    }

    /** A running pod: its {@code bosun run} process (the pod's own, after the exec) and its UUID. */
    record Pod(BosunProcess run, String uuid) {
    }

    Pod startPod(String name, String... engine) throws Exception {
        Path uuidFile = work.resolve(name + ".uuid");
        List<String> args = new ArrayList<>(List.of("run", INSECURE));
        args.addAll(List.of(engine));
        args.addAll(List.of("--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/sh", "--", "-c", STUBBORN));
        BosunProcess run = startBosun(args.toArray(new String[0]));
        run.closeStdin();
        assertEquals(name + ": the app started:\n" + run.snapshot(), "ready", run.nextLine(CALL_TIMEOUT));
        return new Pod(run, Files.readString(uuidFile).trim());
    }

    String state(String uuid) throws Exception {
        BosunResult status = bosun("status", uuid);
        assertExit(0, status);
        return status.stdoutLines().stream().filter(l -> l.startsWith("state=")).findFirst().orElse("state=?");
    }

    /** Every process in the pod's cgroups (anywhere in the host's hierarchies). */
    static List<String> processesOf(String uuid) throws IOException {
        List<String> found = new ArrayList<>();
        for (String cgroup : E2e.podCgroups(List.of(uuid))) {
            try (var walk = Files.walk(Path.of(cgroup))) {
                for (Path procs : walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                    try {
                        Files.readAllLines(procs).stream().filter(l -> !l.isBlank())
                                .forEach(pid -> found.add(pid + " " + E2e.cmdline(Long.parseLong(pid.trim()))));
                    } catch (IOException e) {
                        // removed meanwhile
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // removed meanwhile
            }
        }
        return found;
    }

    /** The pod has ended by itself: exited, nothing left in its cgroups. */
    void assertEnds(String what, String uuid) throws Exception {
        assertTrue(what + ": the pod's processes are gone: " + processesOf(uuid),
                eventually(POD_END, Duration.ofMillis(100), () -> processesOf(uuid).isEmpty()));
        assertEquals(what, "state=exited", state(uuid));
    }

    /**
     * What pods hold on the host, by pod: netns, cgroups, host records, NAT rules, mounts. A pod
     * whose host record names another data directory than this test's is left out: the machine is
     * shared, and another session's pods come and go while a trial runs.
     */
    Set<String> hostTraces() throws Exception {
        Set<String> foreign = new TreeSet<>();
        for (String uuid : E2e.entries(HELD)) {
            try {
                String dataDir = JSON.readTree(HELD.resolve(uuid).resolve("pod.json").toFile()).path("dataDir").asText();
                if (!dataDir.isEmpty() && !Path.of(dataDir).startsWith(work)) {
                    foreign.add(uuid);
                }
            } catch (IOException e) {
                // removed meanwhile, or not written yet: counted as the test's
            }
        }
        Set<String> traces = new TreeSet<>();
        for (String n : E2e.entries(Path.of("/run/netns"))) {
            if (n.startsWith("bosun-") && foreign.stream().noneMatch(u -> n.equals("bosun-" + u.substring(0, 8)))) {
                traces.add("netns " + n);
            }
        }
        List<String> uuids = new ArrayList<>(E2e.entries(HELD));
        uuids.removeAll(foreign);
        for (String uuid : uuids) {
            traces.add("held " + uuid);
        }
        E2e.podCgroups(uuids).forEach(c -> traces.add("cgroup " + c));
        for (String line : HostResourcesIT.nat().lines().toList()) {
            java.util.regex.Matcher m = UUID_PATTERN.matcher(line);
            if (line.startsWith("-A ") && m.find() && !foreign.contains(m.group())) {
                traces.add("nat " + m.group());
            }
        }
        return traces;
    }

    /** gc as the tests' clean-up does it; then nothing of this test but the bystander is on the host. */
    void gcLeavesOnly(String trial, Pod bystander, Set<String> before) throws Exception {
        // An agent whose client was killed may still be undoing a preparation: gc passes over a
        // pod that is locked, and the next gc takes it.
        List<String> only = List.of("run/" + bystander.uuid());
        eventually(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
            assertExit(0, bosun("gc", "--grace-period=0s", "--expire-prepared=0s"));
            return E2e.podDirs(data).equals(only);
        });
        assertEquals(trial + ": only the bystander is left in " + data, only, E2e.podDirs(data));
        Set<String> after = hostTraces();
        after.removeAll(before);
        assertEquals(trial + ": what gc left on the host", Set.of(), after);
        List<String> stray = new ArrayList<>();
        List<String> bystanders = processesOf(bystander.uuid());
        for (ProcessHandle p : E2e.processesUnder(work)) {
            if (bystanders.stream().noneMatch(l -> l.startsWith(p.pid() + " "))) {
                stray.add(p.pid() + " " + E2e.cmdline(p.pid()));
            }
        }
        assertEquals(trial + ": processes of the test's pods outside the bystander", List.of(), stray);
        assertEquals(trial + ": the bystander is untouched", "state=running", state(bystander.uuid()));
        assertTrue(trial + ": the bystander's process lives", bystander.run().isAlive());
    }

    /** The end of a test with a bystander: it is stopped as any pod. */
    void stopBystander(Pod bystander) throws Exception {
        assertExit(0, bosun("stop", "--force", bystander.uuid()));
        bystander.run().await(Duration.ofSeconds(30));
    }

    /** Processes that have the oci supervisor's watch pipe open: the supervisor and its watcher. */
    static List<ProcessHandle> holdersOf(Path file) {
        List<ProcessHandle> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : proc) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (Files.readSymbolicLink(fd).equals(file)) {
                            ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(found::add);
                            break;
                        }
                    }
                } catch (IOException e) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
        return found;
    }

    // ------------------------------------------------------------------ the matrix

    /** Whom a trial kills at a pause: the command's client, or the agent that runs the command. */
    enum Victim {
        CLIENT, AGENT
    }

    private int trials;

    /** Makes the next bosun command that meets {@code point} pause there. */
    void pauseAt(String point) throws IOException {
        Path file = data.resolve("test-pause");
        Files.writeString(file, point + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Waits until a process paused at {@code point}; returns its pid. */
    long awaitPause(String point, BosunProcess command) throws Exception {
        Path reached = data.resolve("test-pause." + point + ".reached");
        assertTrue(point + ": no process paused there:\n" + command.snapshot(),
                eventually(CALL_TIMEOUT, Duration.ofMillis(20), () -> Files.exists(reached) || !command.isAlive()));
        assertTrue(point + ": the command ended before it paused:\n" + command.snapshot(), Files.exists(reached));
        long pid = Long.parseLong(Files.readString(reached).trim());
        Files.delete(reached);
        return pid;
    }

    void release() throws IOException {
        Files.deleteIfExists(data.resolve("test-pause"));
    }

    /** What a trial does between the pause's release and gc. */
    interface Step {
        void run() throws Exception;
    }

    /**
     * Waits until {@code command} pauses at {@code point}, kills {@code victim} (the agent in agent
     * mode runs the command and is the process that paused), lets the pause go, does {@code then},
     * and checks the host after gc.
     */
    void killAndCheck(String point, Victim victim, BosunProcess command, Pod bystander, Set<String> before, Step then)
            throws Exception {
        String trial = point + "/" + victim + "/" + mode;
        long paused = awaitPause(point, command);
        assertEquals(trial + ": the process that paused", mode == Mode.AGENT ? FIXTURE.agentPid() : command.pid(), paused);
        if (victim == Victim.AGENT) {
            // the client sees its agent go and ends by itself
            ProcessHandle.of(FIXTURE.agentPid()).ifPresent(ProcessHandle::destroyForcibly);
        } else {
            command.process.toHandle().destroyForcibly();
        }
        command.await(Duration.ofSeconds(30));
        release();
        if (victim == Victim.AGENT) {
            FIXTURE.restartAgent();
        }
        then.run();
        gcLeavesOnly(trial, bystander, before);
        trials++;
    }

    /** The victims of this mode: in-process the client is the one process there is. */
    List<Victim> victims() {
        return mode == Mode.AGENT ? List.of(Victim.CLIENT, Victim.AGENT) : List.of(Victim.CLIENT);
    }

    /**
     * run killed while it prepares (an image in the store and pinned; the network set up) and as it
     * hands the prepared pod to the launcher.
     */
    @Test
    public void killsDuringRunLeaveNothingAfterGcAndTheBystanderRuns() throws Exception {
        Pod bystander = startPod("bystander", OCI);
        Set<String> before = hostTraces();
        for (String point : List.of("prepare-image", "prepare-network", "launch")) {
            for (Victim victim : victims()) {
                if (victim == Victim.AGENT && point.equals("prepare-image")) {
                    continue; // the agent's restart is the matrix's dearest step: one per operation
                }
                pauseAt(point);
                BosunProcess run = startBosun("run", INSECURE, OCI, "--port=:tcp:8080::" + OciNetworkIT.freePort(), aci(),
                        "--exec", "/bin/true");
                run.closeStdin();
                killAndCheck(point, victim, run, bystander, before, () -> { });
            }
        }
        stopBystander(bystander);
        System.err.println("bosun-e2e: kill -9 matrix, run (" + mode + "): " + trials + " trials");
    }

    /** stop killed before it reaches the pod's engine; gc killed as it collects a pod. */
    @Test
    public void killsDuringStopAndGcLeaveNothingAfterGcAndTheBystanderRuns() throws Exception {
        Pod bystander = startPod("bystander", OCI);
        Set<String> before = hostTraces();
        for (Victim victim : victims()) {
            Pod target = startPod("stop-" + victim, OCI);
            pauseAt("stop");
            BosunProcess stop = startBosun("stop", target.uuid());
            stop.closeStdin();
            // the stop never reached the pod: it still runs, and a new stop ends it
            killAndCheck("stop", victim, stop, bystander, before, () -> {
                assertEquals("stop/" + victim + "/" + mode, "state=running", state(target.uuid()));
                assertExit(0, bosun("stop", "--force", target.uuid()));
                target.run().await(Duration.ofSeconds(30));
            });
        }
        for (Victim victim : victims()) {
            assertExit(0, bosun("run", INSECURE, OCI, "--port=:tcp:8080::" + OciNetworkIT.freePort(), aci(), "--exec", "/bin/true"));
            pauseAt("collect");
            BosunProcess gc = startBosun("gc", "--grace-period=0s");
            gc.closeStdin();
            killAndCheck("collect", victim, gc, bystander, before, () -> { });
        }
        stopBystander(bystander);
        System.err.println("bosun-e2e: kill -9 matrix, stop and gc (" + mode + "): " + trials + " trials");
    }

    /**
     * fetch killed after the image's blobs are in the store and before the store records it: the
     * image is not listed, a new fetch of it records it, and it verifies.
     */
    @Test
    public void killsDuringFetchLeaveAStoreThatFetchesTheImageAgain() throws Exception {
        Pod bystander = startPod("bystander", OCI);
        Set<String> before = hostTraces();
        for (Victim victim : victims()) {
            String name = "example.com/kill-nine-fetch-" + victim.name().toLowerCase(java.util.Locale.ROOT);
            Path image = smallImage(name);
            pauseAt("fetch-record");
            BosunProcess fetch = startBosun("fetch", INSECURE, image.toString());
            fetch.closeStdin();
            String trial = "fetch-record/" + victim + "/" + mode;
            killAndCheck("fetch-record", victim, fetch, bystander, before, () -> {
                assertFalse(trial + ": the image the fetch did not record is not listed", imageNames().contains(name));
                BosunResult again = bosun("fetch", INSECURE, image.toString());
                assertExit(0, again);
                assertEquals(trial + ": listed once after a new fetch", 1,
                        imageNames().stream().filter(name::equals).count());
                assertExit(0, bosun("image", "verify", again.stdout.trim()));
                assertExit(0, bosun("image", "rm", again.stdout.trim()));
                assertExit(0, bosun("image", "gc", "--grace-period=0s"));
            });
        }
        stopBystander(bystander);
        System.err.println("bosun-e2e: kill -9 matrix, fetch (" + mode + "): " + trials + " trials");
    }

    /** An ACI of one file under {@code name}, new to the store. */
    Path smallImage(String name) throws Exception {
        Path layout = work.resolve(name.replace('/', '_'));
        Files.createDirectories(layout.resolve("rootfs"));
        Files.writeString(layout.resolve("rootfs/hello"), name + "\n");
        Files.writeString(layout.resolve("manifest"), "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\""
                + name + "\",\"labels\":[{\"name\":\"os\",\"value\":\"linux\"},{\"name\":\"arch\",\"value\":\"amd64\"}]}");
        Path aci = work.resolve(name.replace('/', '_') + ".aci");
        Process p = new ProcessBuilder(TestImages.ACTOOL, "build", "--overwrite", layout.toString(), aci.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("actool build: " + out, 0, p.waitFor());
        return aci;
    }

    List<String> imageNames() throws Exception {
        BosunResult list = bosun("image", "list", "--format=json");
        assertExit(0, list);
        List<String> names = new ArrayList<>();
        JSON.readTree(list.stdout).forEach(i -> names.add(i.path("name").asText()));
        return names;
    }

    /** The app's state in {@code app list}; "absent" when the list does not name it. */
    String appState(String sandbox, String app) throws Exception {
        BosunResult list = bosun("app", "list", sandbox, "--format=json");
        assertExit(0, list);
        for (com.fasterxml.jackson.databind.JsonNode a : JSON.readTree(list.stdout)) {
            if (a.path("name").asText().equals(app)) {
                return a.path("state").asText();
            }
        }
        return "absent";
    }

    static final String APP = "trap 'exit 3' TERM; while :; do sleep 0.1; done";

    BosunResult addApp(String sandbox, String app) throws Exception {
        return bosun("app", "add", INSECURE, sandbox, aci(), "--name=" + app, "--exec=/bin/sh", "--", "-c", APP);
    }

    /**
     * Each app operation killed inside its critical section (the pod's apps lock held): app add
     * after the engine added the app and before the manifest lists it, app start after the app is
     * marked to start and before the engine is asked, app stop before the engine is asked, app rm
     * after the engine removed the app and before the manifest forgets it. Then the sandbox still
     * works: its app list is what the killed command left (the app, or no trace of it), the
     * operation done again succeeds, another app starts beside it; after the sandbox's stop, gc
     * leaves nothing.
     */
    @Test
    public void killsDuringAppOperationsLeaveAWorkingSandboxAndNothingAfterGc() throws Exception {
        Pod bystander = startPod("bystander", OCI);
        Set<String> before = hostTraces();
        for (String point : List.of("app-add", "app-start", "app-stop", "app-rm")) {
            for (Victim victim : victims()) {
                String trial = point + "/" + victim + "/" + mode;
                String sandbox = uuidIn(bosun("app", "sandbox", OCI, "--net=none"));
                if (!point.equals("app-add")) {
                    assertExit(0, addApp(sandbox, "a"));
                }
                if (point.equals("app-stop") || point.equals("app-rm")) {
                    assertExit(0, bosun("app", "start", sandbox, "--app=a"));
                }
                if (point.equals("app-rm")) {
                    assertExit(0, bosun("app", "stop", sandbox, "--app=a", "--timeout=5"));
                }
                pauseAt(point);
                BosunProcess command = switch (point) {
                case "app-add" -> startBosun("app", "add", INSECURE, sandbox, aci(), "--name=a", "--exec=/bin/sh", "--",
                        "-c", APP);
                case "app-start" -> startBosun("app", "start", sandbox, "--app=a");
                case "app-stop" -> startBosun("app", "stop", sandbox, "--app=a", "--timeout=5");
                default -> startBosun("app", "rm", sandbox, "--app=a");
                };
                command.closeStdin();
                killAndCheck(point, victim, command, bystander, before, () -> {
                    switch (point) {
                    case "app-add" -> {
                        assertEquals(trial + ": the add the manifest never saw", "absent", appState(sandbox, "a"));
                        assertExit(0, addApp(sandbox, "a"));
                        assertExit(0, bosun("app", "start", sandbox, "--app=a"));
                    }
                    case "app-start" -> {
                        // asked to start, never started: starting it again starts it
                        assertExit(0, bosun("app", "start", sandbox, "--app=a"));
                    }
                    case "app-stop" -> {
                        assertEquals(trial + ": the stop never reached it", "running", appState(sandbox, "a"));
                        assertExit(0, bosun("app", "stop", sandbox, "--app=a", "--timeout=5"));
                        assertEquals(trial, "exited", appState(sandbox, "a"));
                    }
                    default -> {
                        assertExit(0, bosun("app", "rm", sandbox, "--app=a"));
                        assertEquals(trial + ": removed", "absent", appState(sandbox, "a"));
                    }
                    }
                    if (!point.equals("app-rm") && !point.equals("app-stop")) {
                        assertEquals(trial + ": the app runs", "running", appState(sandbox, "a"));
                    }
                    assertExit(0, addApp(sandbox, "b"));
                    assertExit(0, bosun("app", "start", sandbox, "--app=b"));
                    assertEquals(trial + ": another app runs beside it", "running", appState(sandbox, "b"));
                    assertExit(0, bosun("stop", sandbox));
                    assertTrue(trial + ": the sandbox ends", eventually(POD_END, Duration.ofMillis(100),
                            () -> state(sandbox).equals("state=exited")));
                });
            }
        }
        stopBystander(bystander);
        System.err.println("bosun-e2e: kill -9 matrix, app operations (" + mode + "): " + trials + " trials");
    }

    /** The pod's own process killed while its apps run and while they stop. */
    @Test
    public void killsOfThePodsProcessLeaveNothingAfterGcAndTheBystanderRuns() throws Exception {
        Pod bystander = startPod("bystander", OCI);
        Set<String> before = hostTraces();
        Pod running = startPod("running", OCI, "--port=:tcp:8080::" + OciNetworkIT.freePort());
        running.run().process.toHandle().destroyForcibly();
        running.run().await(Duration.ofSeconds(30));
        assertEnds("engine killed while its apps run", running.uuid());
        gcLeavesOnly("engine/running/" + mode, bystander, before);
        trials++;

        Pod stopping = startPod("stopping", OCI, "--stage1-option=stop-timeout=60", "--port=:tcp:8080::" + OciNetworkIT.freePort());
        assertExit(0, bosun("stop", stopping.uuid()));
        Path mark = data.resolve("pods/run/" + stopping.uuid() + "/engine/io/stopping");
        assertTrue("the supervisor is stopping the apps", eventually(Duration.ofSeconds(10), Duration.ofMillis(20),
                () -> Files.exists(mark)));
        stopping.run().process.toHandle().destroyForcibly();
        stopping.run().await(Duration.ofSeconds(30));
        assertEnds("engine killed while its apps stop", stopping.uuid());
        gcLeavesOnly("engine/stopping/" + mode, bystander, before);
        trials++;
        stopBystander(bystander);
        System.err.println("bosun-e2e: kill -9 matrix, the pod's process (" + mode + "): " + trials + " trials");
    }

    // ------------------------------------------------------------------ item 5

    /**
     * Before, the supervisor died alone: runc or crun and the app ran on, the pod stayed "running"
     * with a dead pid, and stop and stop --force did nothing with exit code 0.
     */
    @Test
    public void killingBosunRunEndsAnOciPodWithEitherRuntimeAndGcLeavesNothing() throws Exception {
        Set<String> before = hostTraces();
        for (String rt : OciEngineIT.RUNTIMES) {
            Pod pod = startPod(rt, OCI, OciEngineIT.runtime(rt));
            pod.run().process.toHandle().destroyForcibly();
            assertEquals(rt, 137, pod.run().await(Duration.ofSeconds(10)).exitCode);
            assertEnds(rt, pod.uuid());
            BosunResult stop = bosun("stop", pod.uuid());
            assertExit(0, stop);
            assertEquals(rt + ": " + stop.describe(), "pod " + pod.uuid() + " is already stopped\n", stop.stdout);
            assertExit(0, bosun("gc", "--grace-period=0s"));
            assertEquals(rt, List.of(), E2e.podDirs(data));
            Set<String> after = hostTraces();
            after.removeAll(before);
            assertEquals(rt + ": what gc left on the host", Set.of(), after);
        }
    }

    /** nspawn: systemd-nspawn killed alone left its container running, while the pod read "exited". */
    @Test
    public void killingBosunRunEndsAnNspawnPodAndGcLeavesNothing() throws Exception {
        Set<String> before = hostTraces();
        Pod pod = startPod("nspawn", NSPAWN);
        pod.run().process.toHandle().destroyForcibly();
        assertEquals(137, pod.run().await(Duration.ofSeconds(10)).exitCode);
        assertEnds("nspawn", pod.uuid());
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertEquals(List.of(), E2e.podDirs(data));
        Set<String> after = hostTraces();
        after.removeAll(before);
        assertEquals("what gc left on the host", Set.of(), after);
    }

    /**
     * A pod whose process and watcher are both gone (or one an older engine started, which had no
     * watcher) still runs its apps: stop and stop --force kill them through the pod's cgroups.
     */
    @Test
    public void stopAndStopForceEndAnOciPodWhoseSupervisorAndWatcherWereKilled() throws Exception {
        for (boolean force : List.of(false, true)) {
            Pod pod = startPod("force-" + force, OCI);
            Path pipe = data.resolve("pods/run/" + pod.uuid() + "/engine/watch");
            List<ProcessHandle> victims = new ArrayList<>(holdersOf(pipe));
            victims.add(pod.run().process.toHandle());
            victims.forEach(ProcessHandle::destroyForcibly);
            pod.run().await(Duration.ofSeconds(10));
            BosunResult stop = force ? bosun("stop", "--force", pod.uuid()) : bosun("stop", pod.uuid());
            assertExit(0, stop);
            assertEnds("stop" + (force ? " --force" : ""), pod.uuid());
        }
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
    }

    /**
     * A fly app that left a child behind: the child holds the pod's lock, stop reaches no process of
     * the pod (fly has no cgroups) and says so in one line with exit code 5 instead of 0. (busybox sh
     * gives a background command /dev/null, which a fly rootfs lacks.)
     */
    @Test
    public void stopThatEndsNothingSaysSoInOneLine() throws Exception {
        Path uuidFile = work.resolve("fly.uuid");
        BosunProcess run = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/sh",
                "--", "-c", "mkdir -p /dev; mknod /dev/null c 1 3; sleep 300 & echo ready; exec sleep 300");
        run.closeStdin();
        assertEquals("ready", run.nextLine(CALL_TIMEOUT));
        String uuid = Files.readString(uuidFile).trim();
        run.process.toHandle().destroyForcibly();
        run.await(Duration.ofSeconds(10));
        try {
            for (String force : List.of("--force", "--no-force")) {
                BosunResult stop = force.equals("--force") ? bosun("stop", force, uuid) : bosun("stop", uuid);
                assertExit(5, stop);
                assertOneClearLine(stop);
                assertTrue(stop.describe(), stop.stderr.contains("pod " + uuid + " is still running"));
                assertEquals("state=running", state(uuid));
            }
        } finally {
            E2e.kill(E2e.processesUnder(work));
        }
        assertTrue(eventually(Duration.ofSeconds(10), Duration.ofMillis(100), () -> "state=exited".equals(state(uuid))));
    }
}
