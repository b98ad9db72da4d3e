package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The nspawn engine (issue 4): systemd-nspawn with systemd as the pod's PID 1, one unit per app.
 * {@code run} exits with the app's exit code (with several apps: that of the first to fail, which
 * stops the others), the apps' stdout and stderr are bosun's, each app has its own rootfs and
 * mount namespace and shares the pod's hostname, network and IPC; {@code status} shows each app's
 * exit code; {@code stop} and {@code enter} work on a running pod; {@code gc} leaves no mount,
 * process or cgroup behind.
 */
public class NspawnIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String NSPAWN = "--stage1-name=nspawn";
    /**
     * The cgroup hierarchies where systemd-nspawn makes a pod's cgroups on these hosts, and the
     * legacy devices one where the engine holds the pod's device allow-list.
     */
    static final List<Path> CGROUP_HIERARCHIES = List.of(Path.of("/sys/fs/cgroup/unified"),
            Path.of("/sys/fs/cgroup/systemd"), Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/devices"));
    /** Every pod the class made, to check after the class that none left a cgroup. */
    static final Set<String> PODS = Collections.synchronizedSet(new LinkedHashSet<>());

    public NspawnIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @After
    public void rememberThePods() {
        for (String dir : E2e.podDirs(data)) {
            PODS.add(dir.substring(dir.indexOf('/') + 1));
        }
    }

    /** After every test's gc: no pod of the class may have left a cgroup; removed here if one did. */
    @AfterClass
    public static void noPodLeftACgroup() throws Exception {
        List<String> left = new ArrayList<>();
        for (String uuid : PODS) {
            for (Path dir : cgroupsOf(uuid)) {
                left.add(dir.toString());
                removeCgroup(dir);
            }
        }
        assertEquals("cgroups left by the pods of " + NspawnIT.class.getSimpleName(), List.of(), left);
    }

    @Test
    public void runExitsWithTheAppsExitCodeAndPassesItsOutputOn() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, aci(), "--exec", "/bin/sh", "--",
                "-c", "echo out:hello; echo err:oops >&2; exit 7");
        assertExit(7, run);
        assertEquals("the app's stdout, and only that:\n" + run.describe(), "out:hello\n", run.stdout);
        assertEquals("the app's stderr, and only that:\n" + run.describe(), "err:oops\n", run.stderr);

        JsonNode pods = list();
        assertEquals("one pod: " + pods, 1, pods.size());
        JsonNode pod = pods.get(0);
        assertEquals("state of " + pod, "exited", pod.path("state").asText());
        assertEquals("stage1 of " + pod, "nspawn", pod.path("stage1").path("name").asText());
        BosunResult status = bosun("status", pod.path("name").asText());
        assertExit(0, status);
        assertLine("state=exited", status);
        assertLine("app-busybox=7", status);
    }

    /**
     * Output into a regular file (here stdout and stderr both, {@code > out 2>&1}) ends up where the
     * caller's own writes after {@code bosun run} do not overwrite it, in the order the app wrote it.
     */
    @Test
    public void outputIntoAFileLeavesTheCallersFileOffsetAfterIt() throws Exception {
        Path out = work.resolve("out.log");
        String run = BosunResult.Shell.join(bosunArgs("run", INSECURE, NSPAWN, aci(), "--exec", "/bin/sh", "--",
                "-c", "echo one; echo two >&2; echo three; exit 3"));
        BosunProcess shell = start(mode, List.of("/bin/sh", "-c", "{ " + run + "; echo \"after:$?\"; } > "
                + BosunResult.Shell.quote(out.toString()) + " 2>&1"));
        shell.closeStdin();
        BosunResult r = shell.await(CALL_TIMEOUT);
        assertExit(0, r);
        assertEquals(r.describe(), "one\ntwo\nthree\nafter:3\n", Files.readString(out));
    }

    /** Arguments, environment, user, group and working directory go through systemd's unit syntax unchanged. */
    @Test
    public void theAppGetsItsCommandLineAndEnvironmentExactly() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, aci(), "--user=nobody", "--group=nogroup", "--working-dir=/etc",
                "--environment=TRICKY=$HOME 100% \"q\" back\\slash\ttab", "--exec", "/bin/sh", "--",
                "-c", "printf '[%s]\\n' \"$@\"; echo \"$(id -u):$(id -g) $(pwd)\"; env | sort", "sh",
                "a b", "", ";", "$HOME", "${PATH}", "100%", "%n", "q\"uote", "back\\slash", "two\nlines");
        assertExit(0, run);
        assertEquals(run.describe(), "", run.stderr);
        String expected = "[a b]\n[]\n[;]\n[$HOME]\n[${PATH}]\n[100%]\n[%n]\n[q\"uote]\n[back\\slash]\n[two\nlines]\n"
                + "65534:65534 /etc\n"
                + "AC_APP_NAME=busybox\n"
                + "AC_METADATA_URL=http://GATEWAY:PORT/TOKEN\n"
                + "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                + "PWD=/etc\n"
                + "SHLVL=1\n"
                + "TRICKY=$HOME 100% \"q\" back\\slash\ttab\n";
        // the appc metadata service's URL (issue 16) holds the pod's address and its own token
        String stdout = run.stdout.replaceFirst("AC_METADATA_URL=http://[0-9.]+:[0-9]+/[0-9a-f]{64}\n",
                "AC_METADATA_URL=http://GATEWAY:PORT/TOKEN\n");
        assertEquals("arguments, identity and environment (nothing systemd adds):\n" + run.describe(), expected, stdout);
    }

    @Test
    public void aTwoAppPodSharesHostnameNetworkAndIpcButEachAppHasItsOwnRootfs() throws Exception {
        String report = "touch /mine-$AC_APP_NAME; sleep %s; "
                + "echo \"$AC_APP_NAME host=$(hostname) uts=$(readlink /proc/self/ns/uts) net=$(readlink /proc/self/ns/net)"
                + " ipc=$(readlink /proc/self/ns/ipc) mnt=$(readlink /proc/self/ns/mnt) files=$(ls / | grep mine- | tr '\\n' ,)\"; "
                + "exit %s";
        Path uuidFile = work.resolve("pod.uuid");
        // The second app ends first, with 0, which ends nothing; the pod's exit code is the failing app's.
        BosunResult run = bosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile,
                aci(), "--name=first", "--exec", "/bin/sh", "--", "-c", String.format(report, "1", "4"),
                "---", aci(), "--name=second", "--exec", "/bin/sh", "--", "-c", String.format(report, "0.2", "0"));
        assertExit(4, run);
        assertEquals(run.describe(), "", run.stderr);
        Map<String, Map<String, String>> seen = new HashMap<>();
        for (String line : run.stdoutLines()) {
            Map<String, String> fields = new HashMap<>();
            // with two apps each line says which one wrote it: "[first] first host=..."
            String[] words = line.replaceFirst("^\\[([a-z]+)\\] (\\1 )", "$2").split(" ");
            assertTrue("a line without its app's prefix: " + line, line.startsWith("[" + words[0] + "] "));
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
            }
            seen.put(words[0], fields);
        }
        assertEquals("one line from each app:\n" + run.describe(), Set.of("first", "second"), seen.keySet());
        Map<String, String> first = seen.get("first");
        Map<String, String> second = seen.get("second");
        String uuid = Files.readString(uuidFile).trim();
        assertEquals("the pod's hostname (default bosun-<uuid8>):\n" + run.describe(), "bosun-" + uuid.substring(0, 8),
                first.get("host"));
        for (String shared : List.of("host", "uts", "net", "ipc")) {
            assertEquals(shared + " is the pod's, shared by its apps:\n" + run.describe(), first.get(shared), second.get(shared));
        }
        assertNotEquals("each app has its own mount namespace:\n" + run.describe(), first.get("mnt"), second.get("mnt"));
        assertEquals("the first app sees only its own files:\n" + run.describe(), "mine-first,", first.get("files"));
        assertEquals("the second app sees only its own files:\n" + run.describe(), "mine-second,", second.get("files"));

        BosunResult status = bosun("status", uuid);
        assertExit(0, status);
        assertLine("state=exited", status);
        assertLine("app-first=4", status);
        assertLine("app-second=0", status);
    }

    @Test
    public void stopEndsARunningPodAndStatusSaysItExited() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = startBosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/sh",
                "--", "-c", "echo ready; exec sleep 120");
        run.closeStdin();
        assertEquals("the app started:\n" + run.snapshot(), "ready", run.nextLine(CALL_TIMEOUT));
        String uuid = Files.readString(uuidFile).trim();
        long pid = run.pid();
        String cmdline = E2e.cmdline(pid);
        assertTrue("the pod's process is systemd-nspawn, with no JVM left: " + cmdline,
                cmdline.startsWith("/usr/bin/systemd-nspawn ") && !cmdline.contains("java"));

        BosunResult status = bosun("status", "--wait-ready=30s", uuid);
        assertExit(0, status);
        assertLine("state=running", status);
        assertLine("pid=" + pid, status);
        assertLine("app-busybox=running", status);

        BosunResult stop = bosun("stop", uuid);
        assertExit(0, stop);
        assertEquals(stop.describe(), uuid + "\n", stop.stdout);
        BosunResult ended = run.await(Duration.ofSeconds(30));
        assertEquals("the app was ended by SIGTERM, and the pod exits with its code:\n" + ended.describe(), 128 + 15,
                ended.exitCode);
        assertEquals(ended.describe(), "", ended.stderr);

        status = bosun("status", uuid);
        assertExit(0, status);
        assertLine("state=exited", status);
        assertLine("exited=true", status);
        assertLine("app-busybox=143", status);
    }

    @Test
    public void enterRunsACommandInsideARunningApp() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = startBosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile,
                aci(), "--name=web", "--exec", "/bin/sh", "--", "-c", "touch /only-web; echo ready; exec sleep 120",
                "---", aci(), "--name=db", "--exec", "/bin/sh", "--", "-c", "exec sleep 120");
        run.closeStdin();
        assertEquals("the app started (a line of one of two apps says whose it is):\n" + run.snapshot(), "[web] ready",
                run.nextLine(CALL_TIMEOUT));
        String uuid = Files.readString(uuidFile).trim();

        BosunResult enter = bosun("enter", "--app=web", uuid, "/bin/sh", "-c",
                "cat /proc/1/comm; hostname; ls /only-web; exit 5");
        assertExit(5, enter);
        assertEquals("inside the app: the pod's systemd is PID 1, the pod's hostname, the app's rootfs:\n"
                + enter.describe(), "systemd\nbosun-" + uuid.substring(0, 8) + "\n/only-web\n", enter.stdout);
        BosunResult other = bosun("enter", "--app=db", uuid, "/bin/sh", "-c", "ls /only-web || echo absent");
        assertExit(0, other);
        assertTrue("the other app has its own rootfs:\n" + other.describe(), other.stdout.endsWith("absent\n"));

        BosunResult which = bosun("enter", uuid, "/bin/true");
        assertOneClearLine(which);
        assertContains("the refusal names the apps", "--app", which);
        BosunResult nope = bosun("enter", "--app=nope", uuid, "/bin/true");
        assertOneClearLine(nope);
        assertContains("the refusal names the app", "nope", nope);

        assertExit(0, bosun("stop", uuid));
        assertExit(143, run.await(Duration.ofSeconds(30)));
    }

    /**
     * The pod's device program holds on its own: a host process put in the pod's cgroup2 cgroup
     * only (its v1 devices cgroup on a hybrid host stays the caller's, which allows every device)
     * may make a loop device node but not open it, and opens /dev/null. Without the program it opens
     * the loop device (PodDevicesTest of the engine shows both in a scratch cgroup).
     */
    @Test
    public void thePodsDeviceProgramRefusesTheHostsDevicesOnItsOwn() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = startBosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/sh",
                "--", "-c", "echo ready; exec sleep 120");
        run.closeStdin();
        assertEquals("the app started:\n" + run.snapshot(), "ready", run.nextLine(CALL_TIMEOUT));
        String uuid = Files.readString(uuidFile).trim();
        Path root = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? Path.of("/sys/fs/cgroup")
                : Path.of("/sys/fs/cgroup/unified");
        List<Path> cgroup2 = E2e.podCgroups(List.of(uuid)).stream().map(Path::of)
                .filter(c -> c.startsWith(root) && (!root.equals(Path.of("/sys/fs/cgroup"))
                        || Files.exists(c.resolve("cgroup.controllers"))))
                .toList();
        assertEquals("the pod's cgroup2 cgroup", 1, cgroup2.size());
        Path probe = Files.createDirectory(cgroup2.get(0).resolve("device-probe"));
        try {
            String script = "echo $$ > \"$1/cgroup.procs\" || exit 1\n"
                    + "grep -E '^[0-9]+:devices:' /proc/self/cgroup\n"
                    + "/usr/bin/mknod \"$2/loop\" b 7 0 && echo mknod ok\n"
                    + "exec /usr/bin/perl -e 'for (@ARGV) { if (open(my $h, \"+<\", $_)) { print \"$_ open\\n\" }"
                    + " else { print \"$_ $!\\n\" } }' \"$2/loop\" /dev/null\n";
            Process p = new ProcessBuilder("/usr/bin/sh", "-c", script, "probe", probe.toString(), work.toString())
                    .redirectErrorStream(true).start();
            List<String> lines = new ArrayList<>(new String(p.getInputStream().readAllBytes()).lines().toList());
            assertEquals(lines.toString(), 0, p.waitFor());
            if (!lines.isEmpty() && lines.get(0).contains(":devices:")) {
                Path legacy = Path.of("/sys/fs/cgroup/devices", lines.remove(0).split(":", 3)[2]);
                assertEquals("the probe's v1 devices cgroup " + legacy + " allows every device", "a *:* rwm",
                        Files.readString(legacy.resolve("devices.list")).strip());
            }
            assertEquals(List.of("mknod ok", work + "/loop Operation not permitted", "/dev/null open"), lines);
        } finally {
            eventually(Duration.ofSeconds(5), Duration.ofMillis(50), () -> {
                try {
                    Files.deleteIfExists(probe);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            Files.deleteIfExists(work.resolve("loop"));
        }
        assertExit(0, bosun("stop", uuid));
        assertExit(143, run.await(Duration.ofSeconds(30)));
    }

    @Test
    public void gcLeavesNoMountProcessOrCgroupBehind() throws Exception {
        Path uuidFile = work.resolve("exited.uuid");
        assertExit(0, bosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/true"));
        String exited = Files.readString(uuidFile).trim();
        assertFalse("a pod that ran has its cgroup until gc", cgroupsOf(exited).isEmpty());

        // A pod killed with stop --force: nothing of it may keep running.
        Path killedFile = work.resolve("killed.uuid");
        BosunProcess run = startBosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + killedFile, aci(), "--exec", "/bin/sh",
                "--", "-c", "trap '' TERM; echo ready; sleep 120");
        run.closeStdin();
        assertEquals("the app started:\n" + run.snapshot(), "ready", run.nextLine(CALL_TIMEOUT));
        String killed = Files.readString(killedFile).trim();
        assertExit(0, bosun("stop", "--force", killed));
        assertEquals(128 + 9, run.await(Duration.ofSeconds(30)).exitCode);
        assertTrue("the killed pod's processes are gone: " + E2e.processesUnder(work),
                eventually(Duration.ofSeconds(10), Duration.ofMillis(50), () -> E2e.processesUnder(work).isEmpty()));

        BosunResult gc = bosun("gc", "--grace-period=0s");
        assertExit(0, gc);
        assertEquals(gc.describe(), "", gc.stderr);
        assertNoPods();
        assertEquals("mounts under " + work, List.of(), E2e.mountsUnder(work));
        for (String uuid : List.of(exited, killed)) {
            assertEquals("cgroups of pod " + uuid, List.of(), cgroupsOf(uuid));
            assertFalse("systemd-nspawn's propagation directory of pod " + uuid,
                    Files.exists(Path.of("/run/systemd/nspawn/propagate/bosun-" + uuid), LinkOption.NOFOLLOW_LINKS));
        }
    }

    /** The cgroup directories named after the pod, anywhere in the host's hierarchies. */
    static List<Path> cgroupsOf(String uuid) throws IOException {
        List<Path> found = new ArrayList<>();
        String name = "bosun-" + uuid;
        for (Path hierarchy : CGROUP_HIERARCHIES) {
            if (!Files.exists(hierarchy.resolve("cgroup.procs"))) {
                continue;
            }
            List<Path> queue = new ArrayList<>(List.of(hierarchy));
            for (int i = 0; i < queue.size(); i++) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(queue.get(i),
                        p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                    for (Path child : children) {
                        if (child.getFileName().toString().equals(name)) {
                            found.add(child);
                        } else if (queue.size() < 10_000) {
                            queue.add(child);
                        }
                    }
                } catch (IOException e) {
                    // removed meanwhile
                }
            }
        }
        return found;
    }

    /** Kills what runs in a leftover cgroup and removes it, deepest first. */
    static void removeCgroup(Path dir) throws Exception {
        try {
            Files.writeString(dir.resolve("cgroup.kill"), "1");
        } catch (IOException e) {
            // legacy hierarchy: the processes are the same as in the cgroup2 one, killed there
        }
        List<Path> dirs = new ArrayList<>(List.of(dir));
        for (int i = 0; i < dirs.size(); i++) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dirs.get(i),
                    p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                children.forEach(dirs::add);
            }
        }
        Collections.reverse(dirs);
        for (Path d : dirs) {
            eventually(Duration.ofSeconds(5), Duration.ofMillis(50), () -> {
                try {
                    Files.deleteIfExists(d);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }
}
