package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code bosun run}: the app's exit code, its output and input, its process, and the pod left behind. */
public class RunIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    public RunIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void runExitsWithTheAppsExitCode() throws Exception {
        BosunResult run = bosun("run", INSECURE, FLY, aci(), "--exec", "/bin/sh", "--", "-c", "exit 7");
        assertExit(7, run);
        assertEquals("bosun run wrote on stdout:\n" + run.describe(), "", run.stdout);
        assertEquals("bosun run wrote on stderr (not a terminal: it should be quiet):\n" + run.describe(), "", run.stderr);

        JsonNode pods = list();
        assertEquals("one pod: " + pods, 1, pods.size());
        JsonNode pod = pods.get(0);
        assertEquals("state of " + pod, "exited", pod.path("state").asText());
        assertEquals("app_names of " + pod, "[\"busybox\"]", pod.path("app_names").toString());
        assertEquals("stage1 of " + pod, "fly", pod.path("stage1").path("name").asText());
        String uuid = pod.path("name").asText();
        assertTrue("a UUID: " + uuid, UUID_PATTERN.matcher(uuid).matches());

        BosunResult gc = bosun("gc", "--grace-period=0s");
        assertExit(0, gc);
        assertEquals("gc output:\n" + gc.describe(),
                "Moving pod \"" + uuid + "\" to garbage\nGarbage collecting pod \"" + uuid + "\"\n", gc.stdout);
        assertEquals("gc stderr:\n" + gc.describe(), "", gc.stderr);
        assertNoPods();
    }

    @Test
    public void runPrintsTheAppsOutputAndStdinReachesIt() throws Exception {
        BosunResult run = bosunWithInput("hello from stdin\n", "run", INSECURE, FLY, aci(), "--",
                "-c", "echo out:hello; echo err:oops >&2; read line; echo \"in:$line\"");
        assertExit(0, run);
        assertEquals("the app's stdout, and only that:\n" + run.describe(), "out:hello\nin:hello from stdin\n", run.stdout);
        assertEquals("the app's stderr, and only that:\n" + run.describe(), "err:oops\n", run.stderr);
    }

    /** Also: a relative image path means the caller's directory, also when the agent prepares the pod. */
    @Test
    public void runAppliesUserGroupWorkingDirectoryAndEnvironment() throws Exception {
        Files.createSymbolicLink(work.resolve("busybox.aci"), fixture.busyboxAci);
        BosunResult run = bosun("run", INSECURE, FLY, "./busybox.aci", "--user=nobody", "--group=nogroup", "--working-dir=/etc",
                "--environment=GREETING=hi there", "--", "-c", "echo \"$(id -u):$(id -g) $(pwd) $GREETING $AC_APP_NAME\"");
        assertExit(0, run);
        assertEquals(run.describe(), "65534:65534 /etc hi there busybox\n", run.stdout);
    }

    @Test
    public void runBecomesThePodProcess() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--",
                "-c", "echo $$; exec sleep 120");
        String first = run.nextLine(CALL_TIMEOUT);
        long pid = run.pid();
        assertEquals("the app's $$ is the pid of the bosun process the caller started:\n" + run.snapshot(),
                Long.toString(pid), first);
        // The shell is exec'ing sleep right now: wait until the new image is in place.
        eventually(Duration.ofSeconds(10), Duration.ofMillis(20), () -> E2e.cmdline(pid).startsWith("sleep"));
        String cmdline = E2e.cmdline(pid);
        assertFalse("no JVM is left in the pod's process: " + cmdline, cmdline.contains("java"));
        assertTrue("the pod's process is the app: " + cmdline, cmdline.startsWith("sleep"));
        Path root = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root"));
        assertTrue("the app runs chrooted in its pod's rootfs under " + data + ": " + root,
                root.startsWith(E2e.realPath(data).resolve("pods/run")) && root.endsWith("apps/busybox/rootfs"));
        assertEquals("the pod stays in the caller's cgroups",
                Files.readString(Path.of("/proc/self/cgroup")), Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")));

        String uuid = Files.readString(uuidFile).trim();
        BosunResult status = bosun("status", uuid);
        assertExit(0, status);
        assertLine("state=running", status);
        assertLine("pid=" + pid, status);
        assertLine("exited=false", status);

        BosunResult stop = bosun("stop", uuid.substring(0, 8));
        assertExit(0, stop);
        assertTrue("stop names the pod it stopped:\n" + stop.describe(),
                stop.stdout.equals(uuid + "\n") || stop.stdout.equals(uuid.substring(0, 8) + "\n"));
        BosunResult ended = run.await(Duration.ofSeconds(30));
        assertEquals("the pod ended by SIGTERM:\n" + ended.describe(), 128 + 15, ended.exitCode);

        status = bosun("status", uuid);
        assertExit(0, status);
        assertLine("state=exited", status);
        assertLine("exited=true", status);
        assertNoLineStartingWith("pid=", status);
    }

    /**
     * DESIGN.md §1: whatever the caller applied to {@code bosun} applies to the pod. A resource limit
     * (prlimit) and, where the pids cgroup hierarchy is writable, a cgroup the caller put bosun in.
     */
    @Test
    public void whatTheCallerAppliesToBosunRunHoldsForTheApp() throws Exception {
        Path cgroup = Path.of("/sys/fs/cgroup/pids/bosun-e2e-" + UUID.randomUUID().toString().substring(0, 8));
        boolean withCgroup;
        try {
            Files.createDirectory(cgroup);
            withCgroup = true;
        } catch (Exception e) {
            System.err.println("bosun-e2e: no writable pids cgroup hierarchy (" + e + "); checking the rlimit only");
            withCgroup = false;
        }
        try {
            List<String> command = new ArrayList<>(List.of("/usr/bin/prlimit", "--nofile=123:123", "--"));
            if (withCgroup) {
                command.addAll(List.of("/bin/sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$0\" \"$@\""));
            }
            command.addAll(bosunArgs("run", INSECURE, FLY, aci(), "--", "-c", "ulimit -n; echo $$; read x; exit 0"));
            BosunProcess run = start(mode, command);
            assertEquals("the open-files limit set on bosun holds in the app:\n" + run.snapshot(), "123",
                    run.nextLine(CALL_TIMEOUT));
            String pid = run.nextLine(CALL_TIMEOUT);
            assertEquals("the app is the process the caller started:\n" + run.snapshot(), Long.toString(run.pid()), pid);
            String limits = Files.readString(Path.of("/proc", pid, "limits"));
            assertTrue("limits of the app:\n" + limits, limits.matches("(?s).*Max open files\\s+123\\s+123\\s.*"));
            if (withCgroup) {
                String cgroups = Files.readString(Path.of("/proc", pid, "cgroup"));
                assertTrue("the app stays in the cgroup bosun was started in (" + cgroup.getFileName() + "):\n" + cgroups,
                        cgroups.contains(":pids:/" + cgroup.getFileName() + "\n"));
            }
            run.writeStdin("\n");
            run.closeStdin();
            assertExit(0, run.await(CALL_TIMEOUT));
        } finally {
            if (withCgroup) {
                for (String task : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                    ProcessHandle.of(Long.parseLong(task.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
                eventually(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
                    try {
                        Files.delete(cgroup);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        }
    }

    @Test
    public void prepareThenRunPrepared() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunResult prepare = bosun("prepare", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(),
                "--exec", "/bin/sh", "--", "-c", "echo ran; exit 5");
        assertExit(0, prepare);
        String uuid = uuidIn(prepare);
        assertEquals("prepare's stderr:\n" + prepare.describe(), "", prepare.stderr);
        assertEquals("the saved UUID file", uuid + "\n", Files.readString(uuidFile));
        JsonNode pods = list();
        assertEquals(pods.toString(), List.of(uuid), names(pods));
        assertEquals(pods.toString(), List.of("prepared"), states(pods));

        BosunResult run = bosun("run-prepared", "--uuid-file=" + uuidFile);
        assertExit(5, run);
        assertEquals(run.describe(), "ran\n", run.stdout);
        assertEquals(run.describe(), "", run.stderr);
        assertEquals(List.of("exited"), states(list()));

        BosunResult again = bosun("run-prepared", uuid);
        assertExit(125, again);
        assertOneClearLine(again);
        assertContains("the refusal says why", "not prepared", again);
        assertEquals("nothing ran the second time:\n" + again.describe(), "", again.stdout);
        assertEquals("the refused run changed nothing", List.of("exited"), states(list()));

        BosunResult rm = bosun("rm", uuid);
        assertExit(0, rm);
        assertEquals(rm.describe(), "", rm.stderr);
        assertNoPods();
    }

    @Test
    public void statusWaitReturnsWhenThePodExits() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--",
                "-c", "read x; exit 3");
        assertTrue("run saved the pod's UUID:\n" + run.snapshot(),
                eventually(CALL_TIMEOUT, Duration.ofMillis(50), () -> Files.exists(uuidFile) || !run.isAlive()));
        String uuid = Files.readString(uuidFile).trim();

        BosunResult ready = bosun("status", "--wait-ready=60s", uuid);
        assertExit(0, ready);
        assertLine("state=running", ready);
        // fly records the start of its app as it execs it, and no exit code
        assertLine("app-busybox=running", ready);

        BosunResult tooShort = bosun("status", "--wait=300ms", uuid);
        assertOneClearLine(tooShort);
        assertContains("the time-out says the pod is still running", "running", tooShort);

        BosunProcess waiter = startBosun("status", "--wait=90s", uuid);
        Thread.sleep(3000);
        assertTrue("status --wait returned while the pod was still running:\n" + waiter.snapshot(), waiter.isAlive());
        run.writeStdin("go\n");
        run.closeStdin();
        assertExit(3, run.await(CALL_TIMEOUT));
        BosunResult waited = waiter.await(Duration.ofSeconds(30));
        assertExit(0, waited);
        assertLine("state=exited", waited);
        assertLine("exited=true", waited);
        assertLine("app-busybox=exited", waited);
    }
}
