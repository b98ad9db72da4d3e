package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

public class SupervisorScriptTest {
    static SupervisorScript.Plan plan(OciRuntime runtime, boolean interactive, String... apps) {
        return plan(runtime, interactive, false, apps);
    }

    static SupervisorScript.Plan plan(OciRuntime runtime, boolean interactive, boolean infra, String... apps) {
        return new SupervisorScript.Plan("1234", runtime, Path.of("/usr/bin/" + runtime.command),
                java.util.Arrays.stream(apps).map(a -> new SupervisorScript.AppPlan(a, false, false, null, null)).toList(),
                interactive, 10, List.of(), true, infra, "pod1", infra
                        ? java.util.Arrays.stream(apps).map(a -> "engine/bundles/app-" + a + "/config.json").toList()
                        : List.of());
    }

    @Test
    public void runGivesThePodACgroupNamedAfterItInEveryHierarchyThenEntersCgroupIpcAndUtsNamespaces() {
        String run = SupervisorScript.run(plan(OciRuntime.RUNC, false, "web"));
        assertTrue(run, run.contains("/bosun-1234\n"));
        assertTrue(run, run.contains("echo \"$dir\" >> engine/cgroups"));
        assertTrue(run, run.endsWith("exec /usr/bin/unshare --mount --propagation private --cgroup --ipc --uts -- /usr/bin/sh"
                + " \"$engine/supervise\"\n"));
    }

    /**
     * The part of {@code run} that finds the pod's cgroups, run by sh on a crafted mount table and
     * cgroup list: each hierarchy is the mount whose options name all its controllers (a co-mounted
     * cpu,cpuacct and a named one included), below the caller's own cgroup in it; a hierarchy with
     * no mount is skipped; cgroup2 is the cgroup2 mount.
     */
    @Test(timeout = 30_000)
    public void runFindsThePodsCgroupBelowTheCallersInEveryMountedHierarchy() throws Exception {
        String run = SupervisorScript.run(plan(OciRuntime.CRUN, false, "web"));
        int from = run.indexOf("ifs=$IFS");
        int to = run.indexOf("IFS=$ifs\n", run.indexOf("done < /proc/self/cgroup")) + "IFS=$ifs\n".length();
        assertTrue(run, from >= 0 && to > from);
        Path dir = Files.createTempDirectory("bosun-oci-cgroups");
        try {
            Files.createDirectories(dir.resolve("engine"));
            Files.writeString(dir.resolve("mountinfo"), String.join("\n",
                    "25 30 0:23 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755",
                    "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate",
                    "27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd",
                    "28 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 master:3 - cgroup cgroup rw,cpu,cpuacct",
                    "29 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", ""));
            Files.writeString(dir.resolve("cgroup"), String.join("\n", "4:memory:/user.slice/caller", "3:cpu,cpuacct:/",
                    "2:name=systemd:/user.slice/x:y", "1:pids:/nowhere", "0::/user.slice/caller", ""));
            String script = "cd " + dir + "\n" + run.substring(from, to).replace("/proc/self/mountinfo", "mountinfo")
                    .replace("/proc/self/cgroup", "cgroup") + "printf '%s\\n' \"$@\"\n";
            Process sh = new ProcessBuilder(SupervisorScript.SH, "-c", script).redirectErrorStream(true).start();
            String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(out, 0, sh.waitFor());
            List<String> expected = List.of("/sys/fs/cgroup/memory/user.slice/caller/bosun-1234",
                    "/sys/fs/cgroup/cpu,cpuacct/bosun-1234", "/sys/fs/cgroup/systemd/user.slice/x:y/bosun-1234",
                    "/sys/fs/cgroup/unified/user.slice/caller/bosun-1234");
            assertEquals(expected, out.lines().toList());
            assertEquals("what gc will remove is recorded", expected, Files.readAllLines(dir.resolve("engine/cgroups")));
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    public void theSupervisorHoldsTheNamespacesOfAPodWithoutInfraContainer() {
        String s = SupervisorScript.supervise(plan(OciRuntime.CRUN, false, "web", "db"));
        assertFalse(s, s.contains("infra"));
        assertFalse("nothing to fill in", s.contains("sed "));
        assertTrue(s, s.contains("printf '%s\\n' 'pod1' > /proc/sys/kernel/hostname"));
    }

    @Test
    public void anInfraContainerHoldsTheNamespacesOfAPodWithAUserNamespace() {
        String run = SupervisorScript.run(plan(OciRuntime.RUNC, false, true, "web"));
        assertTrue(run, run.endsWith("exec /usr/bin/unshare --mount --propagation private --cgroup -- /usr/bin/sh"
                + " \"$engine/supervise\"\n"));
        String s = SupervisorScript.supervise(plan(OciRuntime.RUNC, false, true, "web"));
        assertTrue(s, s.contains("create --bundle \"$pod/engine/bundles/infra\""));
        assertTrue(s, s.contains("read -r infra < \"$io/infra.pid\""));
        assertTrue(s, s.contains("sed -i \"s/@INFRA_PID@/$infra/g\" 'engine/bundles/app-web/config.json' || fail"));
        assertTrue(s, s.contains("delete --force infra"));
        assertFalse("the infra sets the hostname", s.contains("/proc/sys/kernel/hostname"));
    }

    @Test
    public void onlyCrunLeavesTheCgroup2HierarchyOfAHybridHostUnmounted() {
        String crun = SupervisorScript.supervise(plan(OciRuntime.CRUN, false, "web"));
        String runc = SupervisorScript.supervise(plan(OciRuntime.RUNC, false, "web"));
        String skip = "[ -n \"$v1\" ] || printf '%s' \"$v2table\" >> \"$table\"";
        assertTrue(crun, crun.contains(skip));
        assertFalse(runc, runc.contains(skip));
        assertTrue(crun, crun.contains("rt='/usr/bin/crun'"));
    }

    @Test
    public void severalAppsGetTheirOutputPrefixedAndOneAppDoesNot() {
        String two = SupervisorScript.supervise(plan(OciRuntime.RUNC, false, "web", "db"));
        assertTrue(two, two.contains("-v p='[web] '"));
        assertTrue(two, two.contains("-v p='[db] '"));
        String one = SupervisorScript.supervise(plan(OciRuntime.RUNC, false, "web"));
        assertTrue(one, one.contains("-v p=''"));
        assertTrue("mawk reads line by line", one.contains("/usr/bin/awk -W interactive"));
    }

    @Test
    public void eachAppsLogRotatesAtOneMebibyteKeepingFive() {
        String s = SupervisorScript.supervise(plan(OciRuntime.RUNC, false, "web"));
        assertTrue(s, s.contains("-v f=apps/web/log -v max=1048576 -v keep=5"));
    }

    @Test
    public void anInteractiveAppKeepsTheTerminalWithoutPipes() {
        String s = SupervisorScript.supervise(plan(OciRuntime.RUNC, true, "web"));
        assertFalse(s, s.contains("mkfifo"));
        assertTrue(s, s.contains("run_app web 0 0 &\n"));
    }

    @Test
    public void thePodExitsWithTheFirstNonZeroAppCodeInManifestOrder() {
        String s = SupervisorScript.supervise(plan(OciRuntime.RUNC, false, "web", "db"));
        assertTrue(s, s.contains("apps='web db'"));
        assertTrue(s, s.contains("if [ \"$c\" != 0 ]; then code=$c; break; fi"));
    }

    /**
     * The app's output plumbing (its three pipes, the log writer and both forwarders, exactly as
     * supervise starts them) run by sh and awk, with the app's stdout ending before anything opens
     * its stderr, the order an app that is slow to start leaves the forwarders in: the log writer
     * must still take the stderr line, not end with the stdout forwarder and leave the stderr one
     * blocked on (or writing into) a pipe nobody reads.
     */
    @Test(timeout = 60_000)
    public void theLogTakesBothStreamsWhenOneEndsBeforeTheOtherOpens() throws Exception {
        String supervise = SupervisorScript.supervise(new SupervisorScript.Plan("1234", OciRuntime.RUNC,
                Path.of("/usr/bin/runc"), List.of(new SupervisorScript.AppPlan("web", false, false, null, null)), false, 10,
                List.of(), HostLimits.awkIsMawk(), false, null, List.of()));
        int from = supervise.indexOf("mkfifo \"$io/web.out\"");
        int to = supervise.indexOf("run_app web ", from);
        assertTrue(supervise, from >= 0 && to > from);
        Path pod = Files.createTempDirectory("bosun-oci-io");
        try {
            Files.createDirectories(pod.resolve("apps/web"));
            Files.createDirectories(pod.resolve("engine/io"));
            String script = "io=engine/io\nfail() { echo \"bosun: $*\" >&2; exit 125; }\n" + supervise.substring(from, to)
                    + "echo out-line > \"$io/web.out\"\n"
                    + "sleep 0.3\n"
                    + "echo err-line > \"$io/web.err\"\n"
                    + "wait\n";
            Process sh = new ProcessBuilder(SupervisorScript.SH, "-c", script).directory(pod.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            sh.getOutputStream().close();
            boolean ended = sh.waitFor(20, TimeUnit.SECONDS);
            if (!ended) {
                sh.descendants().forEach(ProcessHandle::destroyForcibly);
                sh.destroyForcibly();
            }
            String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(sh.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue("the output plumbing hung (a forwarder blocked on the log pipe); stdout " + out + ", stderr " + err,
                    ended);
            assertEquals(err, 0, sh.exitValue());
            assertEquals("out-line\n", out);
            assertEquals("err-line\n", err);
            assertEquals(List.of("out-line", "err-line"), Files.readAllLines(pod.resolve("apps/web/log")));
        } finally {
            try (var walk = Files.walk(pod)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
