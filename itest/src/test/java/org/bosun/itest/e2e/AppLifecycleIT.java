package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * App-level operations (issue 14) on the oci engine with runc and crun, and on the nspawn engine
 * (an added app is units of the pod's systemd): a sandbox runs with no apps
 * and outlives the command that made it; apps are added (prepared as run prepares them), started,
 * stopped and removed one by one while it runs, sharing its network namespace and volumes; a
 * stopped app's exit code is in its status while the others run on; bosun stop ends the sandbox
 * and gc leaves nothing of it; {@code enter --app} reaches an added app. Bad requests get one line,
 * a documented exit code and change nothing.
 */
public class AppLifecycleIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String OCI = "--stage1-name=oci";
    static final String NSPAWN = "--stage1-name=nspawn";
    /** Each engine with app operations, by name: its sandbox flags. */
    static final Map<String, List<String>> ENGINES = engines();
    /** An app that records its network namespace in the shared volume and ends with 3 on SIGTERM. */
    static final String APP = "readlink /proc/self/ns/net > /shared/$AC_APP_NAME.net; echo started $AC_APP_NAME;"
            + " trap 'exit 3' TERM; while :; do sleep 0.1; done";

    public AppLifecycleIT(Mode mode) {
        super(FIXTURE, mode);
    }

    private static Map<String, List<String>> engines() {
        Map<String, List<String>> engines = new LinkedHashMap<>();
        for (String rt : OciEngineIT.RUNTIMES) {
            engines.put(rt, List.of(OCI, OciEngineIT.runtime(rt)));
        }
        engines.put("nspawn", List.of(NSPAWN));
        return engines;
    }

    /** {@code bosun app sandbox} on an engine, with more flags. */
    BosunResult sandbox(String engine, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("app", "sandbox"));
        args.addAll(ENGINES.get(engine));
        args.addAll(List.of(flags));
        return bosun(args.toArray(String[]::new));
    }

    @Test
    public void addedAppsShareTheSandboxAndStopAndGoOneByOneUntilStopEndsIt() throws Exception {
        for (String rt : ENGINES.keySet()) {
            Path uuidFile = work.resolve(rt + ".uuid");
            BosunResult sandbox = sandbox(rt, "--net=none", "--volume=shared,kind=empty", "--uuid-file-save=" + uuidFile);
            assertExit(0, sandbox);
            String uuid = uuidIn(sandbox);
            assertEquals(rt, uuid, Files.readString(uuidFile).trim());
            assertEquals(rt + ": the sandbox runs after bosun app sandbox returned", List.of("running"), states(list()));
            for (String name : List.of("one", "two")) {
                BosunResult add = bosun("app", "add", INSECURE, uuid, aci(), "--name=" + name,
                        "--mount", "volume=shared,target=/shared", "--exec=/bin/sh", "--", "-c", APP);
                assertExit(0, add);
                assertEquals(rt, name + "\n", add.stdout);
                assertEquals(rt + ": an added app waits for app start", "created", appStatus(uuid, name).path("state").asText());
            }
            for (String name : List.of("one", "two")) {
                assertExit(0, bosun("app", "start", uuid, "--app=" + name));
                assertEquals(rt, "running", appStatus(uuid, name).path("state").asText());
            }
            Path shared = data.resolve("pods/run/" + uuid + "/volumes/shared");
            assertTrue(rt + ": both apps wrote into the shared volume", eventually(Duration.ofSeconds(10),
                    Duration.ofMillis(50), () -> Files.exists(shared.resolve("one.net")) && Files.exists(shared.resolve("two.net"))));
            assertEquals(rt + ": one network namespace", Files.readString(shared.resolve("one.net")),
                    Files.readString(shared.resolve("two.net")));
            BosunResult enter = bosun("enter", "--app=two", uuid, "/bin/sh", "-c", "cat /shared/one.net; exit 5");
            assertExit(5, enter);
            assertEquals(rt + ": enter --app reaches an added app", Files.readString(shared.resolve("one.net")),
                    enter.stdout);
            BosunResult logs = bosun("logs", "--app=one", uuid);
            assertExit(0, logs);
            assertEquals(rt + ": logs --app shows an added app's output", "started one\n", logs.stdout);

            assertExit(0, bosun("app", "stop", uuid, "--app=one", "--timeout=5"));
            JsonNode one = appStatus(uuid, "one");
            assertEquals(rt + ": " + one, "exited", one.path("state").asText());
            assertEquals(rt + ": the app's own code on SIGTERM: " + one, 3, one.path("exit_code").asInt());
            assertTrue(rt + ": " + one, one.path("finished_at").asLong() >= one.path("started_at").asLong());
            assertEquals(rt + ": the other app runs on", "running", appStatus(uuid, "two").path("state").asText());
            assertEquals(rt + ": the sandbox runs on", List.of("running"), states(list()));

            assertExit(0, bosun("app", "rm", uuid, "--app=one"));
            assertEquals(rt, List.of("two"), names(appList(uuid)));
            assertFalse(rt + ": the removed app's files are gone", Files.exists(data.resolve("pods/run/" + uuid + "/apps/one")));

            assertExit(0, bosun("stop", uuid));
            assertTrue(rt + ": bosun stop ends the sandbox", eventually(Duration.ofSeconds(20), Duration.ofMillis(100),
                    () -> states(list()).equals(List.of("exited"))));
            assertEquals(rt + ": its last app was stopped with it", "exited", appStatus(uuid, "two").path("state").asText());
            // a kubelet removes the containers of a sandbox that has ended
            assertExit(0, bosun("app", "rm", uuid, "--app=two"));
            assertEquals(rt, List.of(), names(appList(uuid)));
            assertExit(0, bosun("gc", "--grace-period=0s"));
            assertNoPods();
            assertEquals(rt + ": mounts under " + work, List.of(), E2e.mountsUnder(work));
            assertEquals(rt + ": cgroups of pod " + uuid, List.of(), OciEngineIT.cgroupsOf(uuid));
            assertFalse(rt + ": its network namespace", Files.exists(HostResourcesIT.netnsOf(uuid)));
            assertEquals(rt + ": processes", List.of(), E2e.processesUnder(work));
        }
    }

    /** An app that records its user namespace and ids in the shared volume, leaves a file there and ends with 3 on SIGTERM. */
    static final String USERNS_APP = "cat /proc/self/uid_map > /shared/$AC_APP_NAME.map; id -u > /shared/$AC_APP_NAME.uid;"
            + " echo by $AC_APP_NAME > /shared/$AC_APP_NAME.file; echo started $AC_APP_NAME;"
            + " trap 'exit 3' TERM; while :; do sleep 0.1; done";

    /**
     * {@code app sandbox --private-users}: the pod's user namespace is chosen when the sandbox is
     * made; every app added later runs in it (the same uid_map, not the host's identity), as the
     * pod's root, its files in the shared volume owned by the pod's host range; an app removed and
     * another added keep it; gc frees the range and leaves nothing. On the oci engine also with the
     * apps sharing a PID namespace, whose holder is in the pod's user namespace.
     */
    @Test
    public void privateUsersSandboxesGiveEveryAddedAppThePodsUserNamespace() throws Exception {
        // the runtime works as the pod's unprivileged root: every parent of the pods searchable
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Map<String, List<String>> cases = new LinkedHashMap<>(ENGINES);
        cases.put("runc pid=pod", List.of(OCI, OciEngineIT.runtime("runc"), "--stage1-option=pid=pod"));
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            String rt = c.getKey();
            List<String> args = new ArrayList<>(List.of("app", "sandbox"));
            args.addAll(c.getValue());
            args.addAll(List.of("--private-users", "--net=none", "--volume=shared,kind=empty,mode=0755"));
            BosunResult sandbox = bosun(args.toArray(String[]::new));
            assertExit(0, sandbox);
            String uuid = uuidIn(sandbox);
            Path podDir = data.resolve("pods/run/" + uuid);
            String recorded = Files.readString(podDir.resolve("user-namespace")).replaceAll("\\s", "");
            assertTrue(rt + ": the sandbox records its mapping before it has apps: " + recorded,
                    recorded.matches("\\[0,[0-9]+,65536\\]"));
            long hostId = Long.parseLong(recorded.split(",")[1]);
            for (String name : List.of("one", "two")) {
                assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=" + name,
                        "--mount", "volume=shared,target=/shared", "--exec=/bin/sh", "--", "-c", USERNS_APP));
            }
            for (String name : List.of("one", "two")) {
                assertExit(0, bosun("app", "start", uuid, "--app=" + name));
            }
            Path shared = podDir.resolve("volumes/shared");
            assertTrue(rt + ": both apps wrote into the shared volume", eventually(Duration.ofSeconds(10),
                    Duration.ofMillis(50), () -> Files.exists(shared.resolve("one.file")) && Files.exists(shared.resolve("two.file"))));
            String map = Files.readString(shared.resolve("one.map"));
            assertEquals(rt + ": one user namespace", map, Files.readString(shared.resolve("two.map")));
            assertEquals(rt + ": the pod's range, not the host's identity: " + map, List.of("0", Long.toString(hostId), "65536"),
                    List.of(map.trim().split("\\s+")));
            assertEquals(rt + ": each app is the pod's root", "0\n", Files.readString(shared.resolve("two.uid")));
            assertEquals(rt + ": the volume is the pod root's", (int) hostId, Files.getAttribute(shared, "unix:uid"));
            for (String name : List.of("one", "two")) {
                assertEquals(rt + ": what the pod's root wrote is the range's first id", (int) hostId,
                        Files.getAttribute(shared.resolve(name + ".file"), "unix:uid"));
                assertEquals(rt, (int) hostId, Files.getAttribute(shared.resolve(name + ".file"), "unix:gid"));
            }
            BosunResult enter = bosun("enter", "--app=two", uuid, "/bin/sh", "-c", "cat /proc/self/uid_map; cat /shared/one.file");
            assertExit(0, enter);
            assertEquals(rt + ": enter --app joins the pod's user namespace", map + "by one\n", enter.stdout);
            BosunResult logs = bosun("logs", "--app=one", uuid);
            assertExit(0, logs);
            assertEquals(rt, "started one\n", logs.stdout);

            assertExit(0, bosun("app", "stop", uuid, "--app=one", "--timeout=5"));
            assertEquals(rt, 3, appStatus(uuid, "one").path("exit_code").asInt());
            assertExit(0, bosun("app", "rm", uuid, "--app=one"));
            assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=three",
                    "--mount", "volume=shared,target=/shared", "--exec=/bin/sh", "--", "-c", USERNS_APP));
            assertExit(0, bosun("app", "start", uuid, "--app=three"));
            assertTrue(rt + ": the third app ran", eventually(Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> Files.exists(shared.resolve("three.file"))));
            assertEquals(rt + ": an app added after a removal gets the pod's namespace too", map,
                    Files.readString(shared.resolve("three.map")));
            assertExit(0, bosun("app", "stop", uuid, "--app=three", "--timeout=5"));
            assertEquals(rt, "running", appStatus(uuid, "two").path("state").asText());

            assertExit(0, bosun("stop", uuid));
            assertTrue(rt + ": bosun stop ends the sandbox", eventually(Duration.ofSeconds(20), Duration.ofMillis(100),
                    () -> states(list()).equals(List.of("exited"))));
            assertExit(0, bosun("gc", "--grace-period=0s"));
            assertNoPods();
            Path ranges = data.resolve("userns-ranges");
            assertFalse(rt + ": gc freed the pod's range", Files.exists(ranges) && Files.readString(ranges).contains(uuid));
            assertEquals(rt + ": mounts under " + work, List.of(), E2e.mountsUnder(work));
            assertEquals(rt + ": cgroups of pod " + uuid, List.of(), OciEngineIT.cgroupsOf(uuid));
            assertEquals(rt + ": processes", List.of(), E2e.processesUnder(work));
        }
    }

    @Test
    public void twoConcurrentAddsOfOneNameGiveOneAppAndOneClearLine() throws Exception {
        for (String engine : List.of("runc", "nspawn")) {
            twoConcurrentAddsOfOneName(engine);
        }
    }

    private void twoConcurrentAddsOfOneName(String engine) throws Exception {
        String uuid = uuidIn(sandbox(engine, "--net=none"));
        List<Callable<BosunResult>> adds = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            adds.add(() -> bosun("app", "add", INSECURE, uuid, aci(), "--name=same"));
        }
        List<BosunResult> results = parallel(adds);
        List<Integer> codes = results.stream().map(r -> r.exitCode).sorted().toList();
        assertEquals("one add wins, the other finds the name taken:\n" + results.get(0).describe() + "\n"
                + results.get(1).describe(), List.of(0, 3), codes);
        BosunResult loser = results.get(0).exitCode == 3 ? results.get(0) : results.get(1);
        assertOneClearLine(loser);
        assertContains("the name", "already has an app named 'same'", loser);
        assertEquals(List.of("same"), names(appList(uuid)));
        assertEquals("the winner's app is whole", "created", appStatus(uuid, "same").path("state").asText());
        assertExit(0, bosun("stop", uuid));
        assertTrue(eventually(Duration.ofSeconds(20), Duration.ofMillis(100), () -> states(list()).equals(List.of("exited"))));
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
    }

    @Test
    @AgentModeOnly("the refusals are the core's app operations in both modes; in-process exit codes are BadInputIT's")
    public void badRequestsGetOneLineADocumentedCodeAndChangeNothing() throws Exception {
        BosunResult fly = bosun("app", "sandbox", "--stage1-name=fly");
        assertExit(8, fly);
        assertOneClearLine(fly);
        assertContains("fly refuses", "no app operations", fly);
        assertNoPods();
        for (String engine : List.of("runc", "nspawn")) {
            badRequests(engine);
        }
    }

    private void badRequests(String engine) throws Exception {
        String uuid = uuidIn(sandbox(engine, "--net=none"));
        BosunResult missingPod = bosun("app", "add", INSECURE, "00000000-0000-0000-0000-000000000000", aci());
        assertExit(2, missingPod);
        assertOneClearLine(missingPod);
        BosunResult missingApp = bosun("app", "start", uuid, "--app=nothing");
        assertExit(2, missingApp);
        assertOneClearLine(missingApp);
        BosunResult badImage = bosun("app", "add", INSECURE, uuid, work.resolve("no-such.aci").toString(), "--name=bad");
        assertTrue(badImage.describe(), badImage.exitCode != 0);
        assertOneClearLine(badImage);
        BosunResult badFlag = bosun("app", "add", INSECURE, uuid, aci(), "--name=bad", "--memory=lots");
        assertExit(4, badFlag);
        assertOneClearLine(badFlag);
        assertEquals("a failed add leaves no app", List.of(), names(appList(uuid)));
        assertFalse("nor its files", Files.exists(data.resolve("pods/run/" + uuid + "/apps/bad")));

        assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=app", "--exec=/bin/sh", "--", "-c",
                "trap 'exit 0' TERM; while :; do sleep 0.1; done"));
        BosunResult stopCreated = bosun("app", "stop", uuid, "--app=app");
        assertExit(5, stopCreated);
        assertOneClearLine(stopCreated);
        assertExit(0, bosun("app", "start", uuid, "--app=app"));
        BosunResult again = bosun("app", "start", uuid, "--app=app");
        assertExit(5, again);
        assertOneClearLine(again);
        assertEquals("the app runs on", "running", appStatus(uuid, "app").path("state").asText());
        // rm stops it first
        assertExit(0, bosun("app", "rm", uuid, "--app=app", "--timeout=5"));
        assertEquals(List.of(), names(appList(uuid)));

        assertExit(0, bosun("stop", uuid));
        assertTrue(eventually(Duration.ofSeconds(20), Duration.ofMillis(100), () -> states(list()).equals(List.of("exited"))));
        BosunResult exited = bosun("app", "add", INSECURE, uuid, aci(), "--name=late");
        assertExit(5, exited);
        assertOneClearLine(exited);
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
    }

    @Test
    @AgentModeOnly("attach is the core's command, exec'd by the launcher as enter is (EnterContextIT runs enter in both modes)")
    public void streamAppsOfAnOciImageExchangeLinesWithAnAttachAndOutliveIt() throws Exception {
        OciImages images = OciImages.build(work.resolve("images"));
        for (String rt : ENGINES.keySet()) {
            String uuid = uuidIn(sandbox(rt, "--net=none"));
            assertExit(0, bosun("app", "add", INSECURE, uuid, images.source("latest"), "--name=echo", "--stdin=stream",
                    "--stdout=stream", "--exec=/bin/sh", "--", "-c", "echo ready; while read -r l; do echo \"got $l\"; done"));
            assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=logged", "--exec=/bin/sh", "--", "-c",
                    "echo logged line; echo logged error >&2; trap 'exit 0' TERM; while :; do sleep 0.1; done"));
            // no output at all: the pod still ends at its stop (nothing waits for a null stream's output)
            assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=quiet", "--stdout=null", "--stderr=null",
                    "--exec=/bin/sh", "--", "-c", "echo out; echo err >&2"));
            JsonNode created = appStatus(uuid, "echo");
            assertEquals(rt + ": " + created, List.of("stream", "stream", "log"), List.of(created.path("stdin").asText(),
                    created.path("stdout").asText(), created.path("stderr").asText()));
            assertTrue(rt + ": no pid before it runs: " + created, created.path("pid").isNull());
            assertTrue(rt + ": an OCI image's id is its manifest digest: " + created,
                    created.path("image_id").asText().startsWith("sha256:"));
            for (String name : List.of("echo", "logged", "quiet")) {
                assertExit(0, bosun("app", "start", uuid, "--app=" + name));
            }

            JsonNode running = appStatus(uuid, "echo");
            long pid = running.path("pid").asLong();
            assertTrue(rt + ": a running app's pid: " + running, pid > 0);
            assertTrue(rt + ": the pid is a live host process", ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(rt + ": the pid is the app's process, in the sandbox's namespaces",
                    Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/uts")),
                    Files.readSymbolicLink(Path.of("/proc/" + appStatus(uuid, "logged").path("pid").asLong() + "/ns/uts")));
            JsonNode listed = appList(uuid);
            assertEquals(rt + ": app list gives the same pid: " + listed, pid, listed.get(0).path("pid").asLong());

            // what a stream app writes while no one is attached is kept in its log
            assertTrue(rt + ": logs --app shows an added app's output", eventually(Duration.ofSeconds(10),
                    Duration.ofMillis(100), () -> bosun("logs", "--app=echo", uuid).stdout.contains("ready\n")));
            BosunResult logged = bosun("logs", "--app=logged", uuid);
            assertExit(0, logged);
            assertTrue(rt + ": " + logged.describe(), logged.stdout.contains("logged line\n")
                    && logged.stdout.contains("logged error\n") && !logged.stdout.contains("ready"));

            BosunProcess attach = startBosun("attach", uuid, "--app=echo");
            attach.writeStdin("hello\n");
            assertEquals(rt + ": the app answered the attached caller", "got hello", attach.nextLine(CALL_TIMEOUT));
            attach.closeStdin();
            assertExit(0, attach.await(Duration.ofSeconds(30)));
            assertEquals(rt + ": the end of the caller's input detaches, the app runs on", "running",
                    appStatus(uuid, "echo").path("state").asText());

            BosunProcess again = startBosun("attach", uuid, "--app=echo", "--mode=stdin,stdout");
            again.writeStdin("again\n");
            assertEquals(rt + ": its input stayed open for the next attach", "got again", again.nextLine(CALL_TIMEOUT));
            // the nspawn engine's stdin holder (engine-independent ttyhold --fifo) runs while the app does
            assertEquals(rt + ": stdin holders of app echo", rt.equals("nspawn") ? 1 : 0, holders(uuid, "echo").size());
            // the app ends: the attach ends with it, after its last output
            assertExit(0, bosun("app", "stop", uuid, "--app=echo", "--timeout=5"));
            assertExit(0, again.await(Duration.ofSeconds(30)));
            JsonNode stopped = appStatus(uuid, "echo");
            assertTrue(rt + ": no pid once it exited: " + stopped, stopped.path("pid").isNull());
            assertTrue(rt + ": the holder ends with the app", eventually(Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> holders(uuid, "echo").isEmpty()));

            BosunResult logs = bosun("logs", "--app=echo", uuid);
            assertExit(0, logs);
            assertEquals(rt + ": " + logs.describe(), "ready\ngot hello\ngot again\n", logs.stdout);

            BosunResult toLog = bosun("attach", uuid, "--app=logged");
            assertExit(5, toLog);
            assertOneClearLine(toLog);
            assertContains("a log app is refused", "no stream to attach to", toLog);
            BosunResult toExited = bosun("attach", uuid, "--app=echo");
            assertExit(5, toExited);
            assertOneClearLine(toExited);
            BosunResult badMode = bosun("app", "add", INSECURE, uuid, aci(), "--name=bad", "--stdout=loud");
            assertExit(4, badMode);
            assertOneClearLine(badMode);
            BosunResult tty = bosun("app", "add", INSECURE, uuid, aci(), "--name=bad", "--stdin=tty", "--stdout=log",
                    "--stderr=tty");
            assertExit(4, tty);
            assertOneClearLine(tty);
            assertContains("a terminal is all three streams", "all three streams", tty);
            assertEquals(rt + ": refused adds leave no app", List.of("echo", "logged", "quiet"), names(appList(uuid)));
            assertTrue(rt + ": the null app ran", eventually(Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> "exited".equals(appStatus(uuid, "quiet").path("state").asText())));
            BosunResult quiet = bosun("logs", "--app=quiet", uuid);
            assertExit(0, quiet);
            assertEquals(rt + ": null output is not logged: " + quiet.describe(), "", quiet.stdout);

            assertExit(0, bosun("stop", uuid));
            assertTrue(rt, eventually(Duration.ofSeconds(20), Duration.ofMillis(100),
                    () -> states(list()).equals(List.of("exited"))));
            assertExit(0, bosun("gc", "--grace-period=0s"));
            assertNoPods();
            assertEquals(rt + ": mounts under " + work, List.of(), E2e.mountsUnder(work));
            assertEquals(rt + ": cgroups of pod " + uuid, List.of(), OciEngineIT.cgroupsOf(uuid));
            assertEquals(rt + ": processes", List.of(), E2e.processesUnder(work));
        }
    }

    /**
     * Issue 14, {@code --stdin=tty}, on every engine: an added app gets a terminal of its own, whose
     * master ttyhold keeps (oci: process.terminal and the runtime's console socket; nspawn: a pty the
     * holder unit opens in the pod, the slave the app unit's TTYPath=). A caller on a pseudo-terminal (script(1))
     * attaches: its terminal in raw mode, its size set on the app's, a resize (stty -F on the caller's
     * terminal, a SIGWINCH to the attach) followed; ctrl-p ctrl-q detaches with 0 and the app runs on;
     * the terminal's output is in the app's log. Bad requests get one line. The holder ends with the
     * app, and its removal leaves no socket, FIFO or holder.
     */
    @Test
    @AgentModeOnly("attach is the core's command, exec'd by the launcher as enter is (EnterContextIT runs enter in both modes)")
    public void ttyAppsGetATerminalThatAnAttachOnAPtyDrivesResizesAndDetachesFrom() throws Exception {
        for (String rt : ENGINES.keySet()) {
            String uuid = uuidIn(sandbox(rt, "--net=none"));
            assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=shell", "--stdin=tty", "--stdout=tty",
                    "--stderr=tty", "--exec=/bin/sh"));
            assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=cat", "--stdin=stream", "--stdout=stream",
                    "--exec=/bin/cat"));
            JsonNode created = appStatus(uuid, "shell");
            assertEquals(rt + ": " + created, List.of("tty", "tty", "tty"), List.of(created.path("stdin").asText(),
                    created.path("stdout").asText(), created.path("stderr").asText()));
            assertExit(0, bosun("app", "start", uuid, "--app=shell"));
            assertExit(0, bosun("app", "start", uuid, "--app=cat"));
            assertEquals(rt, "running", appStatus(uuid, "shell").path("state").asText());
            assertEquals(rt + ": the terminal's holder", 1, holders(uuid, "shell").size());

            // the caller's terminal: script(1) gives the attach one, which the wrapper names and sizes first
            String attachLine = String.join(" ", bosunArgs("attach", uuid, "--app=shell"));
            BosunProcess attach = start(mode, List.of("/usr/bin/script", "-q", "-e", "-c",
                    "tty; stty rows 31 cols 101; exec " + attachLine, "/dev/null"));
            String callerTty = attach.nextLine(CALL_TIMEOUT).trim();
            assertTrue(rt + ": the caller's terminal " + callerTty, callerTty.startsWith("/dev/pts/"));
            // the app's stdin is a terminal of its own (the echo of the command line has no /dev/pts)
            attach.writeStdin("echo tty-is-$(tty); echo marker-$((6 * 7))\n");
            attach.awaitStdout("marker-42", CALL_TIMEOUT);
            attach.awaitStdout("tty-is-/dev/pts/", CALL_TIMEOUT);
            attach.writeStdin("echo size-$(stty size | tr ' ' x)\n");
            attach.awaitStdout("size-31x101", CALL_TIMEOUT);
            // a resize of the caller's terminal: SIGWINCH to the attach, which sets it on the app's
            assertExit(0, call(mode, work, null, List.of("/usr/bin/stty", "-F", callerTty, "rows", "42", "cols", "120")));
            Thread.sleep(300);
            attach.writeStdin("echo size-$(stty size | tr ' ' x)\n");
            attach.awaitStdout("size-42x120", CALL_TIMEOUT);
            // ctrl-c is the app's (its shell survives it); ctrl-p ctrl-q detaches
            attach.writeStdin("\u0003\u0010\u0011");
            assertExit(0, attach.await(Duration.ofSeconds(30)));
            assertEquals(rt + ": the app runs on after the detach", "running", appStatus(uuid, "shell").path("state").asText());

            // a second attach without a terminal relays bytes; the end of its input detaches
            BosunProcess plain = startBosun("attach", uuid, "--app=shell");
            plain.writeStdin("echo again-$((1 + 1))\n");
            plain.awaitStdout("again-2", CALL_TIMEOUT);
            plain.closeStdin();
            assertExit(0, plain.await(Duration.ofSeconds(30)));

            BosunResult logs = bosun("logs", "--app=shell", uuid);
            assertExit(0, logs);
            assertTrue(rt + ": the terminal's output is in the log: " + logs.describe(),
                    logs.stdout.contains("marker-42") && logs.stdout.contains("tty-is-/dev/pts/") && logs.stdout.contains("again-2"));

            BosunResult notTty = bosun("attach", uuid, "--app=cat", "--mode=tty");
            assertExit(5, notTty);
            assertOneClearLine(notTty);
            assertContains("a stream app has no terminal", "no terminal", notTty);
            BosunResult half = bosun("app", "add", INSECURE, uuid, aci(), "--name=half", "--stdin=tty", "--stdout=log");
            assertExit(4, half);
            assertOneClearLine(half);

            // the shell's exit code is the app's
            BosunProcess last = startBosun("attach", uuid, "--app=shell");
            last.writeStdin("exit 7\n");
            assertExit(0, last.await(Duration.ofSeconds(30)));
            assertTrue(rt, eventually(Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> "exited".equals(appStatus(uuid, "shell").path("state").asText())));
            assertEquals(rt, 7, appStatus(uuid, "shell").path("exit_code").asInt());
            assertTrue(rt + ": the holder ends with the app", eventually(Duration.ofSeconds(10), Duration.ofMillis(100),
                    () -> holders(uuid, "shell").isEmpty()));
            // a kubelet's removal: the app's socket (and the cat's stdin FIFO) go with its directory
            assertExit(0, bosun("app", "rm", uuid, "--app=shell"));
            assertExit(0, bosun("app", "rm", uuid, "--app=cat", "--timeout=5"));
            for (String app : List.of("shell", "cat")) {
                assertFalse(rt + ": the files of app " + app, Files.exists(data.resolve("pods/run/" + uuid + "/apps/" + app)));
                assertEquals(rt + ": holders of app " + app, List.of(), holders(uuid, app));
            }

            assertExit(0, bosun("stop", uuid));
            assertTrue(rt, eventually(Duration.ofSeconds(20), Duration.ofMillis(100),
                    () -> states(list()).equals(List.of("exited"))));
            assertExit(0, bosun("gc", "--grace-period=0s"));
            assertNoPods();
            assertEquals(rt + ": mounts under " + work, List.of(), E2e.mountsUnder(work));
            assertEquals(rt + ": cgroups of pod " + uuid, List.of(), OciEngineIT.cgroupsOf(uuid));
            assertEquals(rt + ": processes", List.of(), E2e.processesUnder(work));
        }
    }

    /**
     * Issue 14: a sandbox made, and its apps added and started, through the agent do not depend on it:
     * the agent killed with SIGKILL, they run on, and the next agent sees them as they were and stops them.
     */
    @Test
    @AgentModeOnly("the agent is what is killed")
    public void sandboxAppsRunOnWhenTheAgentIsKilledAndTheNextAgentStopsThem() throws Exception {
        for (String rt : OciEngineIT.RUNTIMES) {
            String uuid = uuidIn(bosun("app", "sandbox", OCI, OciEngineIT.runtime(rt), "--net=none"));
            List<Long> pids = new ArrayList<>();
            for (String name : List.of("one", "two")) {
                assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=" + name, "--exec=/bin/sh", "--", "-c",
                        "trap 'exit 3' TERM; while :; do sleep 0.1; done"));
                assertExit(0, bosun("app", "start", uuid, "--app=" + name));
                pids.add(appStatus(uuid, name).path("pid").asLong());
            }
            JsonNode before = appList(uuid);
            long agent = FIXTURE.agentPid();
            ProcessHandle.of(agent).ifPresent(ProcessHandle::destroyForcibly);
            assertTrue(rt + ": the agent is gone", eventually(Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> ProcessHandle.of(agent).map(h -> !h.isAlive()).orElse(true)));
            for (long pid : pids) {
                assertTrue(rt + ": app process " + pid + " runs on without the agent",
                        ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            }
            FIXTURE.restartAgent();
            assertEquals(rt + ": the next agent lists the apps unchanged", before, appList(uuid));
            assertEquals(rt, List.of("running"), states(list()));
            assertExit(0, bosun("app", "stop", uuid, "--app=one", "--timeout=5"));
            assertEquals(rt, 3, appStatus(uuid, "one").path("exit_code").asInt());
            assertEquals(rt, "running", appStatus(uuid, "two").path("state").asText());
            assertExit(0, bosun("stop", uuid));
            assertTrue(rt, eventually(Duration.ofSeconds(20), Duration.ofMillis(100),
                    () -> states(list()).equals(List.of("exited"))));
            assertExit(0, bosun("gc", "--grace-period=0s"));
            assertNoPods();
            assertEquals(rt + ": processes", List.of(), E2e.processesUnder(work));
            for (long pid : pids) {
                assertFalse(rt + ": app process " + pid + " ended with its sandbox",
                        ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            }
        }
    }

    /**
     * The holder processes (ttyhold, either engine's) of an app of a pod: those whose command line
     * names the holder and the app's directory, in the pod's cgroup.
     */
    static List<Long> holders(String uuid, String app) {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
                if (cmdline.contains("ttyhold") && cmdline.contains("/" + app + "/")
                        && Files.readString(Path.of("/proc", Long.toString(p.pid()), "cgroup")).contains(uuid)) {
                    pids.add(p.pid());
                }
            } catch (java.io.IOException e) {
                // ended meanwhile
            }
        });
        return pids;
    }

    JsonNode appStatus(String uuid, String app) throws Exception {
        BosunResult r = bosun("app", "status", uuid, "--app=" + app, "--format=json");
        assertExit(0, r);
        return JSON.readTree(r.stdout);
    }

    JsonNode appList(String uuid) throws Exception {
        BosunResult r = bosun("app", "list", uuid, "--format=json");
        assertExit(0, r);
        JsonNode apps = JSON.readTree(r.stdout);
        assertTrue(r.describe(), apps.isArray());
        return apps;
    }
}
