package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.bosun.api.BosunException;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The engine's two scripts, run: {@code engine/run} as bosun execs it, as root, with the pod's real
 * cgroups, namespaces, mounts and pipes, and a stand-in runtime ({@link SupervisedPod}) whose
 * containers are shell scripts.
 */
public class SupervisorScriptTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Before
    public void asRoot() {
        assumeTrue("runs pods: needs root", "root".equals(System.getProperty("user.name")));
    }

    private SupervisedPod pod() throws Exception {
        return new SupervisedPod(tmp.newFolder().toPath());
    }

    /** The pod's process is in its own cgroup in every hierarchy, and its apps in new namespaces of the pod's. */
    @Test(timeout = 60_000)
    public void runGivesThePodACgroupNamedAfterItInEveryHierarchyThenEntersCgroupIpcAndUtsNamespaces() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "readlink /proc/self/ns/ipc /proc/self/ns/uts /proc/self/ns/cgroup /proc/self/ns/mnt > ns\n"
                    + ": > ready\nwhile [ ! -e go ]; do sleep 0.01; done\n");
            Process p = pod.start();
            pod.await("ready");
            List<String> cgroups = Files.readAllLines(pod.pod.resolve("engine/cgroups"));
            assertFalse("a cgroup in every mounted hierarchy", cgroups.isEmpty());
            for (String cgroup : cgroups) {
                assertTrue(cgroup, cgroup.endsWith("/bosun-" + pod.uuid));
                assertTrue(cgroup + " holds the pod's process", Files.readAllLines(Path.of(cgroup, "cgroup.procs"))
                        .contains(Long.toString(p.pid())));
            }
            assertEquals(List.of(Long.toString(p.pid())), Files.readAllLines(pod.pod.resolve("engine/pid")));
            List<String> ns = Files.readAllLines(pod.pod.resolve("ns"));
            List<String> host = new ArrayList<>();
            for (String type : List.of("ipc", "uts", "cgroup", "mnt")) {
                host.add(Files.readSymbolicLink(Path.of("/proc/self/ns", type)).toString());
            }
            for (int i = 0; i < host.size(); i++) {
                assertNotEquals("a new namespace: " + host.get(i), host.get(i), ns.get(i));
            }
            Files.writeString(pod.pod.resolve("go"), "");
            assertEquals(0, pod.result().exitCode());
        }
    }

    /**
     * The part of {@code run} that finds the pod's cgroups, run by sh on a crafted mount table and
     * cgroup list: each hierarchy is the mount whose options name all its controllers (a co-mounted
     * cpu,cpuacct and a named one included), below the caller's own cgroup in it; a hierarchy with
     * no mount is skipped; cgroup2 is the cgroup2 mount.
     */
    @Test(timeout = 30_000)
    public void runFindsThePodsCgroupBelowTheCallersInEveryMountedHierarchy() throws Exception {
        String run = SupervisorScript.text("run");
        int from = run.indexOf("ifs=$IFS");
        int to = run.indexOf("IFS=$ifs\n", run.indexOf("done < /proc/self/cgroup")) + "IFS=$ifs\n".length();
        assertTrue(run, from >= 0 && to > from);
        Path dir = tmp.newFolder().toPath();
        Files.createDirectories(dir.resolve("engine"));
        Files.writeString(dir.resolve("mountinfo"), String.join("\n",
                "25 30 0:23 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755",
                "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate",
                "27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd",
                "28 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 master:3 - cgroup cgroup rw,cpu,cpuacct",
                "29 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", ""));
        Files.writeString(dir.resolve("cgroup"), String.join("\n", "4:memory:/user.slice/caller", "3:cpu,cpuacct:/",
                "2:name=systemd:/user.slice/x:y", "1:pids:/nowhere", "0::/user.slice/caller", ""));
        String script = "set -euf\ncd " + dir + "\nname=bosun-1234\n" + run.substring(from, to)
                .replace("/proc/self/mountinfo", "mountinfo").replace("/proc/self/cgroup", "cgroup") + "printf '%s\\n' \"$@\"\n";
        Process sh = new ProcessBuilder(SupervisorScript.SH, "-c", script).redirectErrorStream(true).start();
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, sh.waitFor());
        List<String> expected = List.of("/sys/fs/cgroup/memory/user.slice/caller/bosun-1234",
                "/sys/fs/cgroup/cpu,cpuacct/bosun-1234", "/sys/fs/cgroup/systemd/user.slice/x:y/bosun-1234",
                "/sys/fs/cgroup/unified/user.slice/caller/bosun-1234");
        assertEquals(expected, out.lines().toList());
        assertEquals("what gc will remove is recorded", expected, Files.readAllLines(dir.resolve("engine/cgroups")));
    }

    @Test(timeout = 60_000)
    public void theSupervisorHoldsTheNamespacesOfAPodWithoutInfraContainer() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.hostname("pod1").app("web", "cat /proc/sys/kernel/hostname\n").app("db", "true\n");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            assertEquals("[web] pod1\n", r.stdout());
            assertTrue(pod.calls().toString(), pod.calls().stream().noneMatch(c -> c.contains(" create ")
                    || c.contains("infra")));
        }
    }

    /**
     * The pod's sysctls are set before any app starts: an IPC one in the supervisor's IPC namespace
     * (the apps'), a network one in the pod's network namespace; the host's stay. A value the kernel
     * refuses fails the pod naming the key, before any app.
     */
    @Test(timeout = 60_000)
    public void theSupervisorSetsThePodsSysctlsBeforeAnyApp() throws Exception {
        Process net = new ProcessBuilder("/usr/bin/unshare", "--net", "--", "/bin/sleep", "60").start();
        try {
            Path netns = Path.of("/proc/" + net.pid() + "/ns/net");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.readSymbolicLink(netns).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
                assertTrue("unshare made no network namespace", System.nanoTime() < deadline);
                Thread.sleep(10);
            }
            String hostShmmni = Files.readString(Path.of("/proc/sys/kernel/shmmni"));
            String hostSomaxconn = Files.readString(Path.of("/proc/sys/net/core/somaxconn"));
            java.util.Map<String, String> sysctls = new java.util.LinkedHashMap<>();
            sysctls.put("net.core.somaxconn", "1111");
            sysctls.put("kernel.shmmni", "2222");
            try (SupervisedPod pod = pod()) {
                pod.sysctls(netns, sysctls).app("web", "cat /proc/sys/kernel/shmmni\n");
                SupervisedPod.Result r = pod.run();
                assertEquals(r.stderr(), 0, r.exitCode());
                assertEquals("2222\n", r.stdout());
            }
            Process read = new ProcessBuilder("/usr/bin/nsenter", "--net=" + netns, "--", "/bin/cat",
                    "/proc/sys/net/core/somaxconn").start();
            assertEquals("1111\n", new String(read.getInputStream().readAllBytes()));
            assertEquals(hostShmmni, Files.readString(Path.of("/proc/sys/kernel/shmmni")));
            assertEquals(hostSomaxconn, Files.readString(Path.of("/proc/sys/net/core/somaxconn")));
            try (SupervisedPod pod = pod()) {
                pod.sysctls(netns, java.util.Map.of("kernel.shmmni", "many")).app("web", "echo started\n");
                SupervisedPod.Result r = pod.run();
                assertEquals(r.stderr(), 125, r.exitCode());
                assertTrue(r.stderr(), r.stderr().contains("bosun: cannot set sysctl kernel.shmmni=many in the pod's IPC"
                        + " namespace"));
                assertEquals("", r.stdout());
            }
        } finally {
            net.destroyForcibly().waitFor();
        }
    }

    /**
     * The infra container is created first; the containers that join it get its pid in their
     * namespace paths, and nowhere else (an app's environment may hold anything); it is deleted last.
     */
    @Test(timeout = 60_000)
    public void anInfraContainerHoldsTheNamespacesOfAPodWithAUserNamespace() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.hostname("pod1").app("web", "readlink /proc/self/ns/ipc /proc/self/ns/uts > ns\n"
                    + "cat /proc/sys/kernel/hostname\n");
            String template = userNamespaceSpec(pod.pod);
            pod.infra(template, "app-web");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            String infra = Files.readString(pod.pod.resolve("engine/io/infra.pid")).trim();
            String config = Files.readString(pod.pod.resolve("engine/bundles/app-web/config.json"));
            assertEquals(template.replace("\"/proc/@INFRA_PID@/ns/ipc\"", "\"/proc/" + infra + "/ns/ipc\"")
                    .replace("\"/proc/@INFRA_PID@/ns/uts\"", "\"/proc/" + infra + "/ns/uts\"")
                    .replace("\"/proc/@INFRA_PID@/ns/user\"", "\"/proc/" + infra + "/ns/user\""), config);
            assertTrue("the environment is the app's: " + config, config.contains("\"TRICKY=@INFRA_PID@\""));
            List<String> calls = pod.calls();
            assertEquals("--root " + pod.pod.resolve("engine/runtime-state") + " create --bundle "
                    + pod.pod.resolve("engine/bundles/infra") + " --pid-file " + pod.pod.resolve("engine/io/infra.pid")
                    + " infra", calls.get(0));
            assertEquals("--root " + pod.pod.resolve("engine/runtime-state") + " delete --force infra",
                    calls.get(calls.size() - 1));
            // engine/run left the IPC and UTS namespaces to the infra container: the app has the host's here
            List<String> ns = Files.readAllLines(pod.pod.resolve("ns"));
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString(), ns.get(0));
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString(), ns.get(1));
            assertEquals("the infra sets the hostname", Files.readString(Path.of("/proc/sys/kernel/hostname")),
                    r.stdout());
        }
    }

    /**
     * A pod whose apps share a PID namespace: the supervisor starts its holder (the init in pause mode)
     * before any app, PID 1 of a PID namespace of its own; the apps' configs name its pid there and
     * nowhere else; the holder is gone when the pod ends.
     */
    @Test(timeout = 60_000)
    public void theSupervisorHoldsTheSharedPidNamespaceOfThePodsApps() throws Exception {
        try (SupervisedPod pod = pod()) {
            String probe = "read -r h < engine/io/pid-holder\ngrep NSpid /proc/$h/status > nspid-$1\n"
                    + "readlink /proc/$h/ns/pid > ns-$1\n";
            pod.app("web", "set -- web\n" + probe).app("db", "set -- db\n" + probe);
            String template = sharedPidSpec(pod.pod);
            pod.sharedPid(AppInit.find(), template, "app-web", "app-db");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            String holder = Files.readString(pod.pod.resolve("engine/io/pid-holder")).trim();
            for (String app : List.of("web", "db")) {
                String config = Files.readString(pod.pod.resolve("engine/bundles/app-" + app + "/config.json"));
                assertEquals(template.replace("\"/proc/@PID_HOLDER@/ns/pid\"", "\"/proc/" + holder + "/ns/pid\""),
                        config);
                assertTrue("the environment is the app's: " + config, config.contains("\"TRICKY=@PID_HOLDER@\""));
                assertTrue("PID 1 of a namespace of its own",
                        Files.readString(pod.pod.resolve("nspid-" + app)).trim().matches("NSpid:\\s+" + holder + "\\s+1"));
                assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(),
                        Files.readString(pod.pod.resolve("ns-" + app)).trim());
            }
            assertFalse("the holder ends with the pod", ProcessHandle.of(Long.parseLong(holder))
                    .map(ProcessHandle::isAlive).orElse(false));
        }
    }

    /** An app added to a sandbox whose apps share a PID namespace gets the holder's pid in its config when it starts. */
    @Test(timeout = 60_000)
    public void anAddedAppOfASandboxJoinsItsSharedPidNamespace() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.sandbox().added("web", "exit 0\n");
            String template = sharedPidSpec(pod.pod);
            pod.sharedPid(AppInit.find(), template, "app-web");
            Process process = pod.start();
            pod.await("engine/" + PodPlan.CONTROL);
            pod.request("start", "web", "");
            pod.await("apps/web/status");
            String holder = Files.readString(pod.pod.resolve("engine/io/pid-holder")).trim();
            assertTrue(Files.readString(pod.pod.resolve("engine/bundles/app-web/config.json"))
                    .contains("\"/proc/" + holder + "/ns/pid\""));
            process.toHandle().destroy();
            SupervisedPod.Result result = pod.result();
            assertEquals(result.stderr(), 0, result.exitCode());
            assertFalse("the holder ends with the sandbox", ProcessHandle.of(Long.parseLong(holder))
                    .map(ProcessHandle::isAlive).orElse(false));
        }
    }

    /** The spec the engine writes for an app of a pod whose apps share a PID namespace, the placeholder in its environment too. */
    private static String sharedPidSpec(Path podDir) {
        PodDirectory.App app = new PodDirectory.App("web", podDir.resolve("apps/web/rootfs"), List.of("/bin/true"),
                Map.of("TRICKY", "@PID_HOLDER@"), 0, 0, "/", null, null, false, null, SecurityPolicy.UNCONFINED, null,
                null, null, null);
        PodDirectory pod = new PodDirectory("1234", podDir, List.of(app), Map.of(), new PodDirectory.Pod("pod1", null,
                null, false, Map.of("pid", "pod"), null));
        return ContainerSpecs.json(new ContainerSpecs(pod, 0, Path.of("/usr/bin/catatonit"), false).app(app, "app-web",
                app.exec()));
    }

    /** The spec the engine writes for an app of a pod with a user namespace, with the placeholder in its environment too. */
    private static String userNamespaceSpec(Path podDir) {
        PodDirectory.App app = new PodDirectory.App("web", podDir.resolve("apps/web/rootfs"), List.of("/bin/true"),
                Map.of("TRICKY", "@INFRA_PID@"), 0, 0, "/", null, null, false, null, SecurityPolicy.UNCONFINED, null,
                null, null, null);
        PodDirectory pod = new PodDirectory("1234", podDir, List.of(app), Map.of(), new PodDirectory.Pod("pod1", null,
                null, false, null, new IdMapping(0, 300_000, 65_536)));
        return ContainerSpecs.json(new ContainerSpecs(pod, 0, Path.of("/usr/bin/catatonit"), false).app(app, "app-web",
                app.exec()));
    }

    @Test(timeout = 60_000)
    public void onlyCrunLeavesTheCgroup2HierarchyOfAHybridHostUnmounted() throws Exception {
        boolean hybrid = false;
        boolean unified = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            hybrid |= line.contains(" - cgroup ");
            unified |= line.contains(" - cgroup2 ");
        }
        assumeTrue("needs a cgroup2 hierarchy", unified);
        for (OciRuntime runtime : OciRuntime.values()) {
            try (SupervisedPod pod = pod()) {
                pod.runtime(runtime).app("web", "grep -c ' - cgroup2 ' /proc/self/mountinfo || :\n");
                SupervisedPod.Result r = pod.run();
                assertEquals(r.stderr(), 0, r.exitCode());
                boolean mounted = !r.stdout().trim().equals("0");
                assertEquals(runtime + " on a " + (hybrid ? "hybrid" : "unified") + " host", runtime == OciRuntime.RUNC
                        || !hybrid, mounted);
                assertFalse("the plan's runtime ran the app", pod.calls().isEmpty());
            }
        }
    }

    @Test(timeout = 60_000)
    public void severalAppsGetTheirOutputPrefixedAndOneAppDoesNot() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "echo out-web\necho err-web >&2\n").app("db", "echo out-db\necho err-db >&2\n");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            assertEquals(Set.of("[web] out-web", "[db] out-db"), Set.copyOf(r.stdout().lines().toList()));
            assertEquals(Set.of("[web] err-web", "[db] err-db"), Set.copyOf(r.stderr().lines().toList()));
            assertEquals("the log is unprefixed, both streams", Set.of("out-web", "err-web"),
                    Set.copyOf(Files.readAllLines(pod.pod.resolve("apps/web/log"))));
        }
        try (SupervisedPod pod = pod()) {
            pod.app("web", "echo out-web\necho err-web >&2\n");
            SupervisedPod.Result r = pod.run();
            assertEquals("out-web\n", r.stdout());
            assertEquals("err-web\n", r.stderr());
        }
    }

    /** mawk would read the pipe until its buffer is full: the supervisor has it read line by line. */
    @Test(timeout = 60_000)
    public void eachLineReachesBosunsOutputAsTheAppWritesIt() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "echo first\nwhile [ ! -e go ]; do sleep 0.01; done\necho second\n");
            Process p = pod.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals("the first line, while the app still runs", "first", first.get(20, TimeUnit.SECONDS));
            Files.writeString(pod.pod.resolve("go"), "");
            assertEquals("second", out.readLine());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
    }

    /** The engine rotates at 1 MiB keeping 5 (see OciEngineTest); here at what the plan says. */
    @Test(timeout = 60_000)
    public void eachAppsLogRotatesAtItsLimitKeepingFive() throws Exception {
        try (SupervisedPod pod = pod()) {
            // 13 lines of 60 bytes, a rotation after every second one
            pod.logMaxBytes(100).app("web", "i=1\nwhile [ $i -le 13 ]; do printf 'line %02d %051d\\n' $i 0; "
                    + "i=$((i + 1)); done\n");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            assertEquals(13, r.stdout().lines().count());
            Path apps = pod.pod.resolve("apps/web");
            assertEquals(List.of("line 13"), firstWords(apps.resolve("log")));
            for (int i = 1; i <= 5; i++) {
                int last = 13 - 2 * (i - 1) - 1;
                assertEquals("log." + i, List.of(String.format("line %02d", last - 1), String.format("line %02d", last)),
                        firstWords(apps.resolve("log." + i)));
            }
            assertFalse("five kept", Files.exists(apps.resolve("log.6")));
        }
    }

    private static List<String> firstWords(Path log) throws Exception {
        return Files.readAllLines(log).stream().map(l -> l.substring(0, 7)).toList();
    }

    @Test(timeout = 60_000)
    public void anInteractiveAppKeepsTheTerminalWithoutPipes() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.interactive().app("web", "echo hello\n");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            assertEquals("hello\n", r.stdout());
            try (var io = Files.list(pod.pod.resolve("engine/io"))) {
                assertEquals("no pipes", List.of(), io.toList());
            }
            assertFalse("no log", Files.exists(pod.pod.resolve("apps/web/log")));
        }
    }

    /**
     * appc's onAnyFailure exit policy, as rkt's: the first app to fail stops the others, and the pod
     * exits with its code, not with that of an app it stopped, whatever the order in the manifest.
     */
    @Test(timeout = 60_000)
    public void theFirstAppToFailStopsTheOthersAndGivesThePodItsCode() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "exit 0\n").app("db", ": > db-ready\nexec sleep 30\n")
                    .app("cache", "while [ ! -e db-ready ]; do sleep 0.01; done\nexit 4\n");
            long started = System.nanoTime();
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 4, r.exitCode());
            assertTrue("db was stopped, not waited for", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) < 20);
            assertEquals("0\n", Files.readString(pod.pod.resolve("apps/web/status")));
            assertEquals("stopped by SIGTERM", "143\n", Files.readString(pod.pod.resolve("apps/db/status")));
            assertEquals("4\n", Files.readString(pod.pod.resolve("apps/cache/status")));
        }
        try (SupervisedPod pod = pod()) {
            // web fails only after db has: the order is the point, not how fast the host starts them
            pod.app("web", "while [ ! -e apps/db/status ]; do sleep 0.01; done\nexit 2\n").app("db", "exit 3\n");
            assertEquals(3, pod.run().exitCode());
        }
    }

    /** Apps that exit with 0 end nothing; nor does a failing app whose pod is being stopped record a failure. */
    @Test(timeout = 60_000)
    public void anAppThatExitsWithZeroStopsNoOtherApp() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "exit 0\n").app("db", "sleep 0.5\necho done\n");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            assertEquals("[db] done\n", r.stdout());
            assertEquals("0\n", Files.readString(pod.pod.resolve("apps/db/status")));
            assertFalse(Files.exists(pod.pod.resolve("engine/io/failed")));
        }
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
        String supervise = SupervisorScript.text("supervise");
        int from = supervise.indexOf("# awk reading line by line");
        int to = supervise.indexOf("\n}\n", supervise.indexOf("\noutput() {")) + 3;
        assertTrue(supervise, from >= 0 && to > from);
        Path pod = tmp.newFolder().toPath();
        Files.createDirectories(pod.resolve("apps/web"));
        Files.createDirectories(pod.resolve("engine/io"));
        String script = "set -euf\nio=engine/io mawk=" + (HostLimits.awkIsMawk() ? 1 : 0) + " log_max=1048576 log_keep=5\n"
                + "fail() { echo \"bosun: $*\" >&2; exit 125; }\n" + supervise.substring(from, to)
                + "output web ''\n"
                + "echo out-line > \"$io/web.out\"\n"
                + "sleep 0.3\n"
                + "echo err-line > \"$io/web.err\"\n"
                + "wait\n";
        Process sh = new ProcessBuilder(SupervisorScript.SH, "-c", script).directory(pod.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
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
    }

    /** What the plan holds is data: quotes, blanks and dollars reach their use unchanged. */
    @Test(timeout = 60_000)
    public void valuesOfThePlanWithQuotesAndBlanksPassUnchanged() throws Exception {
        String warning = "app web: it's \"quoted\", $HOME `id` ; rm -rf /tmp/nothing";
        try (SupervisedPod pod = pod()) {
            pod.warning(warning).hostname("p'od").app("web", "cat /proc/sys/kernel/hostname\n");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            assertEquals("bosun: " + warning + "\n", r.stderr());
            assertEquals("p'od\n", r.stdout());
        }
    }

    /** SIGTERM stops the apps; one still there after the stop timeout is killed. */
    @Test(timeout = 60_000)
    public void stopTermsTheAppsAndKillsThoseThatOutlastTheStopTimeout() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.stopTimeout(1).app("web", ": > web-ready\nexec sleep 30\n")
                    .app("db", "trap '' TERM\n: > db-ready\nwhile :; do sleep 0.1; done\n");
            Process p = pod.start();
            pod.await("web-ready");
            pod.await("db-ready");
            long stopped = System.nanoTime();
            p.toHandle().destroy(); // SIGTERM, as bosun stop sends it; Process.destroy would close the pipes too
            SupervisedPod.Result r = pod.result();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopped);
            assertEquals(r.stderr(), 143, r.exitCode());
            assertEquals("143\n", Files.readString(pod.pod.resolve("apps/web/status")));
            assertEquals("137\n", Files.readString(pod.pod.resolve("apps/db/status")));
            assertFalse("stopped, not failed", Files.exists(pod.pod.resolve("engine/io/failed")));
            assertTrue("killed after the stop timeout, not the app's 30 s: " + seconds, seconds < 10);
            String state = "--root " + pod.pod.resolve("engine/runtime-state");
            assertTrue(pod.calls().toString(), pod.calls().containsAll(List.of(state + " kill app-web TERM",
                    state + " kill app-db TERM", state + " kill app-db KILL")));
        }
    }

    /**
     * kill -9 of the supervisor (the process of bosun run; no trap sees it) ends the pod: its watcher
     * kills every process left in the pod's cgroups, an app that ignores SIGTERM included.
     */
    @Test(timeout = 60_000)
    public void killingTheSupervisorEndsEveryProcessOfThePod() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", ": > web-ready\nexec sleep 300\n")
                    .app("db", "trap '' TERM\n: > db-ready\nwhile :; do sleep 0.1; done\n");
            Process p = pod.start();
            pod.await("web-ready");
            pod.await("db-ready");
            List<Path> cgroups = PodCgroups.recorded(pod.pod.resolve("engine"), pod.uuid);
            assertFalse("the pod runs in its cgroups", processesIn(cgroups).isEmpty());
            p.toHandle().destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!processesIn(cgroups).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<String> left = processesIn(cgroups);
            assertTrue("processes left in the pod's cgroups after its supervisor was killed: " + left.size() + ", e.g. "
                    + left.subList(0, Math.min(3, left.size())), left.isEmpty());
        }
    }

    /** The pids in {@code cgroups} and every cgroup below them. */
    private static List<String> processesIn(List<Path> cgroups) throws Exception {
        List<String> pids = new ArrayList<>();
        for (Path cgroup : cgroups) {
            for (Path dir : org.bosun.host.cgroup.CgroupTree.walk(cgroup)) {
                try {
                    for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                        if (!line.isBlank()) {
                            pids.add(line.trim() + " " + dir);
                        }
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        }
        return pids;
    }

    @Test(timeout = 60_000)
    public void aFailingPreStartHandlerKeepsTheAppFromStartingAndThePostStopHandlerRuns() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "echo app ran\n").handler("pre-start", "web", "echo setting up; exit 7\n")
                    .handler("post-stop", "web", "echo cleaning up\n");
            SupervisedPod.Result r = pod.run();
            assertEquals(7, r.exitCode());
            assertEquals("setting up\ncleaning up\n", r.stdout());
            assertEquals("7\n", Files.readString(pod.pod.resolve("apps/web/status")));
            String state = "--root " + pod.pod.resolve("engine/runtime-state");
            Path bundles = pod.pod.resolve("engine/bundles");
            assertEquals(List.of(state + " run --bundle " + bundles.resolve("pre-start-web") + " pre-start-web",
                    state + " run --bundle " + bundles.resolve("post-stop-web") + " post-stop-web"), pod.calls());
        }
    }

    @Test(timeout = 60_000)
    public void theAppsOverlayIsMountedBeforeItStarts() throws Exception {
        try (SupervisedPod pod = pod()) {
            Path lower = Files.createDirectories(pod.dir.resolve("tree/rootfs"));
            Files.writeString(lower.resolve("hello"), "from the image\n");
            for (String d : List.of("apps/web/rootfs", "apps/web/upper", "apps/web/work")) {
                Files.createDirectories(pod.pod.resolve(d));
            }
            pod.app("web", "cat apps/web/rootfs/hello\n: > apps/web/rootfs/written\n", "lowerdir=" + lower
                    + ",upperdir=apps/web/upper,workdir=apps/web/work", "apps/web/rootfs");
            SupervisedPod.Result r = pod.run();
            assertEquals(r.stderr(), 0, r.exitCode());
            assertEquals("from the image\n", r.stdout());
            assertTrue("written to the upper layer", Files.exists(pod.pod.resolve("apps/web/upper/written")));
            assertFalse("mounted in the pod's mount namespace only", Files.exists(pod.pod.resolve("apps/web/rootfs/hello")));
        }
    }

    /** The script checks the names it reads itself: a plan it did not get from the engine is refused. */
    @Test(timeout = 60_000)
    public void aPlanNamingAnAppThatIsNotAnAcNameIsRefusedInOneLine() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "echo app ran\n");
            String plan = pod.plan().text().replace("\napp web\n", "\napp web;x\n");
            Files.writeString(pod.pod.resolve("engine/plan"), plan);
            SupervisedPod.Result r = pod.run();
            assertEquals(125, r.exitCode());
            assertEquals(r.stderr(), 1, r.stderr().lines().count());
            assertTrue(r.stderr(), r.stderr().contains("the app name 'web;x' is not an appc ACName"));
            assertEquals("nothing ran", List.of(), pod.calls());
        }
    }

    @Test(timeout = 60_000)
    public void aPodWhoseInfraContainerCannotBeCreatedFailsWithTheRuntimesMessage() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "echo app ran\n").infra("{}\n", "app-web");
            Files.delete(pod.pod.resolve("engine/bundles/infra/config.json"));
            SupervisedPod.Result r = pod.run();
            assertEquals(125, r.exitCode());
            assertTrue(r.stderr(), r.stderr().startsWith("bosun: cannot create the pod's infra container: stub-runtime: no "));
            assertEquals("", r.stdout());
            assertTrue("the infra is deleted, whatever is left of it: " + pod.calls(), pod.calls().get(
                    pod.calls().size() - 1).endsWith(" delete --force infra"));
        }
    }

    @Test(timeout = 60_000)
    public void nothingOfTheContainersIsLeftWhenThePodEnds() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "exit 0\n").app("db", "exit 1\n");
            assertEquals(1, pod.run().exitCode());
            try (var state = Files.list(pod.pod.resolve("engine/runtime-state"))) {
                assertEquals(List.of(), state.toList());
            }
        }
    }

    /** Both scripts have no findings of shellcheck's, if it is installed (Debian package shellcheck). */
    @Test(timeout = 60_000)
    public void theScriptsAreShellcheckClean() throws Exception {
        assumeTrue("shellcheck is not installed (Debian package shellcheck; scripts/install installs it)",
                Files.isExecutable(Path.of("/usr/bin/shellcheck")));
        for (String script : SupervisorScript.SHELL_SCRIPTS) {
            Path file = tmp.newFile(script).toPath();
            Files.writeString(file, SupervisorScript.text(script));
            Process p = new ProcessBuilder("/usr/bin/shellcheck", "--shell=sh", "--severity=style", file.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(script + ": " + out, 0, p.waitFor());
        }
    }

    /** run refuses a plan without the pod's cgroup name: it would make cgroups that gc does not remove. */
    @Test(timeout = 60_000)
    public void runRefusesAPlanWithoutThePodsCgroup() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.app("web", "echo app ran\n");
            String plan = pod.plan().text().lines().filter(l -> !l.startsWith("pod-cgroup "))
                    .collect(Collectors.joining("\n", "", "\n"));
            Files.writeString(pod.pod.resolve("engine/plan"), plan);
            SupervisedPod.Result r = pod.run();
            assertEquals(125, r.exitCode());
            assertTrue(r.stderr(), r.stderr().contains("engine/plan names no pod cgroup"));
            assertFalse("no cgroup made", Files.exists(pod.pod.resolve("engine/cgroups")));
        }
    }

    /** A sandbox outlives its apps, starts, stops and removes added apps on request, and ends when stopped. */
    @Test(timeout = 60_000)
    public void aSandboxRunsAddedAppsOnRequestAndEndsOnlyWhenStopped() throws Exception {
        try (SupervisedPod pod = pod()) {
            pod.sandbox().added("web", "echo hello\ntrap 'exit 3' TERM\nwhile :; do sleep 0.05; done\n")
                    .added("job", "exit 4\n");
            Process process = pod.start();
            pod.await("engine/" + PodPlan.CONTROL);
            pod.request("start", "web", "");
            pod.request("start", "job", "");
            pod.await("apps/job/status");
            assertEquals("4", Files.readString(pod.pod.resolve("apps/job/status")).trim());
            assertTrue("the sandbox outlives an app that exits", process.isAlive());
            Path log = pod.pod.resolve("apps/web/log");
            for (int i = 0; i < 500 && !(Files.exists(log) && Files.readString(log).contains("hello")); i++) {
                Thread.sleep(10);
            }
            assertEquals("hello\n", Files.readString(pod.pod.resolve("apps/web/log")));
            BosunException twice = assertThrows(BosunException.class, () -> pod.request("start", "web", ""));
            assertTrue(twice.getMessage(), twice.getMessage().contains("started before"));
            BosunException unknown = assertThrows(BosunException.class, () -> pod.request("start", "nothing", ""));
            assertTrue(unknown.getMessage(), unknown.getMessage().contains("was not added"));

            pod.request("stop", "web", "5");
            pod.await("apps/web/status");
            assertEquals("the app's own code on SIGTERM", "3", Files.readString(pod.pod.resolve("apps/web/status")).trim());
            pod.request("rm", "web", "");
            assertFalse("its pipes are gone", Files.exists(pod.pod.resolve("engine/io/web.out")));
            assertTrue(pod.calls().toString(), pod.calls().stream().anyMatch(c -> c.endsWith("delete --force app-web")));
            assertTrue("the sandbox runs on", process.isAlive());

            process.toHandle().destroy(); // SIGTERM, as bosun stop sends it
            SupervisedPod.Result result = pod.result();
            assertEquals(result.stderr(), 0, result.exitCode());
            assertFalse("the control pipe goes with the sandbox", Files.exists(pod.pod.resolve("engine/control")));
        }
    }

    /**
     * An added app with a CRI log: each line of either stream stamped and tagged there, a long line in
     * partial lines and a full one, its own log as for any app; reopened after a rename, the next
     * lines go to a new file at the path; refused for an app that does not run or has no CRI log.
     */
    @Test(timeout = 60_000)
    public void anAddedAppsCriLogIsStampedTaggedSplitAndReopened() throws Exception {
        try (SupervisedPod pod = pod()) {
            Path cri = pod.pod.resolve("kubelet/web/0.log");
            Path go = pod.pod.resolve("go");
            String longLine = "b".repeat(9000);
            pod.sandbox().added("web", "echo out\necho err >&2\necho " + longLine + "\nwhile [ ! -e " + go
                    + " ]; do sleep 0.05; done\necho after\ntrap 'exit 0' TERM\nwhile :; do sleep 0.05; done\n", cri)
                    .added("plain", "while :; do sleep 0.05; done\n");
            Process process = pod.start();
            pod.await("engine/" + PodPlan.CONTROL);
            pod.request("start", "web", "");
            List<String> lines = awaitCriLine(cri, "stdout F b", "stderr F err");
            java.util.regex.Pattern format = java.util.regex.Pattern.compile(
                    "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (stdout|stderr) [PF] .*");
            assertTrue(lines.toString(), lines.stream().allMatch(l -> format.matcher(l).matches()));
            List<String> tails = lines.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
            assertTrue(tails.toString(), tails.contains("stdout F out") && tails.contains("stderr F err"));
            List<String> parts = tails.stream().filter(t -> t.matches("stdout [PF] b+")).toList();
            assertEquals(3, parts.size());
            assertTrue(parts.toString(), parts.get(0).startsWith("stdout P ") && parts.get(1).startsWith("stdout P ")
                    && parts.get(2).startsWith("stdout F "));
            assertEquals(longLine, parts.stream().map(t -> t.substring(9)).reduce("", String::concat));
            assertEquals("its own log has the lines as written", "out\nerr\n" + longLine + "\n",
                    sortedLog(Files.readString(pod.pod.resolve("apps/web/log"))));

            Files.move(cri, cri.resolveSibling("0.log.1"));
            pod.request("reopen", "web", "");
            assertTrue("the new log is there when the request is answered", Files.exists(cri));
            Files.writeString(go, "");
            assertEquals(1, awaitCriLine(cri, "stdout F after").size());
            assertFalse(Files.readString(cri.resolveSibling("0.log.1")).contains("after"));

            pod.request("start", "plain", "");
            BosunException none = assertThrows(BosunException.class, () -> pod.request("reopen", "plain", ""));
            assertTrue(none.getMessage(), none.getMessage().contains("has no CRI log"));
            pod.request("stop", "web", "5");
            pod.await("apps/web/status");
            BosunException stopped = assertThrows(BosunException.class, () -> pod.request("reopen", "web", ""));
            assertTrue(stopped.getMessage(), stopped.getMessage().contains("is not running"));

            process.toHandle().destroy();
            SupervisedPod.Result result = pod.result();
            assertEquals(result.stderr(), 0, result.exitCode());
        }
    }

    /** The out, err and long lines in a fixed order: the two streams reach the log in either order. */
    private static String sortedLog(String log) {
        List<String> lines = new java.util.ArrayList<>(List.of(log.split("\n")));
        lines.sort(java.util.Comparator.comparing(l -> l.equals("out") ? 0 : l.equals("err") ? 1 : 2));
        return String.join("\n", lines) + "\n";
    }

    /**
     * The CRI log's lines once it has a line of each prefix: stdout and stderr have forwarders of their
     * own, so a line of one stream may land after a later line of the other.
     */
    private static List<String> awaitCriLine(Path log, String... tailPrefixes) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                if (java.util.Arrays.stream(tailPrefixes).allMatch(prefix -> lines.stream()
                        .anyMatch(l -> l.substring(l.indexOf(' ') + 1).startsWith(prefix)))) {
                    return lines;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no line of each of " + java.util.Arrays.toString(tailPrefixes) + " in " + log);
    }

    /** An added app that ignores SIGTERM is killed after its stop timeout; stopping the sandbox stops its apps. */
    @Test(timeout = 60_000)
    public void aStoppedAppThatIgnoresTermIsKilledAfterItsTimeoutAndTheSandboxStopsTheRest() throws Exception {
        try (SupervisedPod pod = pod()) {
            // the app says when it ignores TERM: a stop asked before that would end it by TERM (143)
            pod.sandbox().stopTimeout(1).added("stubborn", "trap '' TERM\n: > " + pod.pod.resolve("stubborn-ignores-term")
                    + "\nwhile :; do sleep 0.05; done\n")
                    .added("web", "while :; do sleep 0.05; done\n");
            Process process = pod.start();
            pod.await("engine/" + PodPlan.CONTROL);
            pod.request("start", "stubborn", "");
            pod.request("start", "web", "");
            awaitCall(pod, "run --bundle " + pod.pod.resolve("engine/bundles/app-web") + " app-web");
            pod.await("stubborn-ignores-term");
            long asked = System.nanoTime();
            pod.request("stop", "stubborn", "1");
            pod.await("apps/stubborn/status");
            long millis = (System.nanoTime() - asked) / 1_000_000;
            assertEquals("killed", "137", Files.readString(pod.pod.resolve("apps/stubborn/status")).trim());
            assertTrue("after about its timeout: " + millis + " ms", millis >= 900);
            process.toHandle().destroy(); // SIGTERM, as bosun stop sends it
            SupervisedPod.Result result = pod.result();
            assertEquals(result.stderr(), 0, result.exitCode());
            assertEquals("the sandbox's stop ended its running app", "143",
                    Files.readString(pod.pod.resolve("apps/web/status")).trim());
        }
    }

    private static void awaitCall(SupervisedPod pod, String call) throws Exception {
        for (int i = 0; i < 1000 && pod.calls().stream().noneMatch(c -> c.endsWith(call)); i++) {
            Thread.sleep(10);
        }
        assertTrue(pod.calls().toString(), pod.calls().stream().anyMatch(c -> c.endsWith(call)));
    }
}
