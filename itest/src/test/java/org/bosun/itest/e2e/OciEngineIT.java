package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The oci engine (issue 4) with both runtimes, runc and crun: each app is an OCI container of its
 * own, sharing the pod's network, IPC and UTS namespaces. {@code run} exits with the code of the
 * app that failed (which stops the others), the apps' output reaches bosun's stdout and stderr (prefixed per app when there are
 * several) and each app's log; {@code status} shows each app's exit code; {@code enter} and
 * {@code stop} work on a running pod; after {@code gc} no process, cgroup, mount or runtime state
 * of the pod is left.
 */
public class OciEngineIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String OCI = "--stage1-name=oci";
    static final List<String> RUNTIMES = List.of("runc", "crun");
    /** busybox with event handlers, a mount point and an environment: see {@link RunFeaturesIT#HANDLERS_MANIFEST}. */
    static Path handlersAci;

    public OciEngineIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @BeforeClass
    public static void buildTheHandlersImage() throws Exception {
        handlersAci = TestImages.busyboxWithManifest(FIXTURE.images, "handlers", RunFeaturesIT.HANDLERS_MANIFEST);
    }

    static String runtime(String name) {
        return "--stage1-option=runtime=" + name;
    }

    @Test
    public void runExitsWithTheAppsCodeAndPassesItsOutputOnAndIntoTheLog() throws Exception {
        for (String rt : RUNTIMES) {
            Path uuidFile = work.resolve(rt + ".uuid");
            BosunResult run = bosun("run", INSECURE, OCI, runtime(rt), "--uuid-file-save=" + uuidFile, aci(),
                    "--exec", "/bin/sh", "--", "-c", "echo out:hello; echo err:oops >&2; exit 7");
            assertExit(7, run);
            assertEquals(rt + ": the app's stdout:\n" + run.describe(), "out:hello\n", run.stdout);
            assertEquals(rt + ": the app's stderr:\n" + run.describe(), "err:oops\n", run.stderr);
            String uuid = Files.readString(uuidFile).trim();
            BosunResult status = bosun("status", uuid);
            assertExit(0, status);
            assertLine("state=exited", status);
            assertLine("app-busybox=7", status);
            Path log = data.resolve("pods/run/" + uuid + "/apps/busybox/log");
            List<String> logged = Files.readAllLines(log);
            assertTrue(rt + ": both streams in the app's log: " + logged,
                    logged.contains("out:hello") && logged.contains("err:oops"));
            assertEquals(rt + ": the runtime recorded for stop, enter and gc", rt,
                    Files.readAllLines(data.resolve("pods/run/" + uuid + "/engine/runtime")).get(0));
        }
    }

    @Test
    public void aTwoAppPodSharesHostnameNetworkIpcAndUtsPrefixesOutputAndRecordsBothCodes() throws Exception {
        String report = "echo \"$AC_APP_NAME host=$(hostname) net=$(readlink /proc/self/ns/net) mnt=$(readlink /proc/self/ns/mnt)"
                + " ipc=$(readlink /proc/self/ns/ipc) uts=$(readlink /proc/self/ns/uts)\"; sleep %s; exit %s";
        String hostIpc = "ipc=" + Files.readSymbolicLink(Path.of("/proc/self/ns/ipc"));
        String hostUts = "uts=" + Files.readSymbolicLink(Path.of("/proc/self/ns/uts"));
        for (String rt : RUNTIMES) {
            Path uuidFile = work.resolve(rt + ".uuid");
            BosunResult run = bosun("run", INSECURE, OCI, runtime(rt), "--uuid-file-save=" + uuidFile,
                    // Both apps outlive each other's report by seconds: a namespace's inode number is reused
                    // once it is freed, so an app that had already exited could seem to share the other's.
                    aci(), "--name=first", "--exec", "/bin/sh", "--", "-c", String.format(report, "3", "4"),
                    "---", aci(), "--name=second", "--exec", "/bin/sh", "--", "-c", String.format(report, "2", "0"));
            assertExit(4, run);
            List<String> lines = run.stdoutLines();
            assertEquals(rt + ": one line per app:\n" + run.describe(), 2, lines.size());
            String first = lines.stream().filter(l -> l.startsWith("[first] first ")).findFirst().orElseThrow(
                    () -> new AssertionError(rt + ": no prefixed line of app first:\n" + run.describe()));
            String second = lines.stream().filter(l -> l.startsWith("[second] second ")).findFirst().orElseThrow(
                    () -> new AssertionError(rt + ": no prefixed line of app second:\n" + run.describe()));
            String[] f = first.split(" ");
            String[] s = second.split(" ");
            assertEquals(rt + ": the pod's hostname is shared:\n" + run.describe(), f[2], s[2]);
            assertEquals(rt + ": the pod's network namespace is shared:\n" + run.describe(), f[3], s[3]);
            assertFalse(rt + ": each app has its own mount namespace:\n" + run.describe(), f[4].equals(s[4]));
            assertEquals(rt + ": the pod's IPC namespace is shared:\n" + run.describe(), f[5], s[5]);
            assertEquals(rt + ": the pod's UTS namespace is shared:\n" + run.describe(), f[6], s[6]);
            assertFalse(rt + ": the pod's IPC namespace is its own:\n" + run.describe(), f[5].equals(hostIpc));
            assertFalse(rt + ": the pod's UTS namespace is its own:\n" + run.describe(), f[6].equals(hostUts));
            String uuid = Files.readString(uuidFile).trim();
            BosunResult status = bosun("status", uuid);
            assertLine("app-first=4", status);
            assertLine("app-second=0", status);
        }
    }

    /**
     * {@code web} is busybox's {@code sleep} with no signal handler of its own: each app's init
     * (PID 1 of its container) passes the stop on, so it ends at once with 143, as under nspawn, and
     * not after the stop timeout with 137.
     */
    /**
     * One pod per runtime proves rkt's run features on this engine: an empty volume one app writes
     * and the other reads, host volumes (one read-only), a read-only rootfs, user and group,
     * supplementary groups (the writer may write the volume only through one), the environment's
     * precedence (caller &lt; image &lt; --set-env-file &lt; --set-env &lt; --environment), the
     * pod's hostname, the image's event handlers, and a memory limit the app sees in its cgroup and
     * that holds.
     */
    @Test
    public void volumesIdentityEnvironmentReadOnlyRootfsHostnameAndAMemoryLimitHold() throws Exception {
        Path ro = Files.createDirectories(work.resolve("ro"));
        Files.writeString(ro.resolve("given"), "from-host\n");
        Path envFile = work.resolve("env");
        Files.writeString(envFile, "C=file\nD=file\nE=file\n");
        String writer = "cat /ro/given; echo x > /ro/denied && echo ro-written; echo y > /rw/made && echo rw-written; "
                + "touch /rootfs-file && echo root-written; echo data > /shared/file && echo shared-written; "
                + "echo id=$(id -u):$(id -g) groups=$(id -G) host=$(hostname); echo env=$A $B $C $D $E; "
                + "echo limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max); "
                + "dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null; echo dd=$?";
        String reader = "i=0; until [ -s /data/file ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done; "
                + "echo \"read $(cat /data/file) $(stat -c '%a %u:%g' /data) id=$(id -u):$(id -g) host=$(hostname)\"";
        for (String rt : RUNTIMES) {
            Path rw = Files.createDirectories(work.resolve("rw-" + rt));
            Path events = Files.createDirectories(work.resolve("events-" + rt));
            List<String> args = new ArrayList<>(List.of("/usr/bin/env", "A=caller", "B=caller", "C=caller", "D=caller",
                    "E=caller"));
            args.addAll(bosunArgs("run", INSECURE, OCI, runtime(rt), "--hostname=oci-features", "--inherit-env",
                    "--set-env-file=" + envFile, "--set-env=D=set-env", "--set-env=E=set-env",
                    "--volume=shared,kind=empty,mode=0770,uid=65534,gid=65534",
                    "--volume=ro,kind=host,source=" + ro + ",readOnly=true", "--volume=rw,kind=host,source=" + rw,
                    "--volume=events,kind=host,source=" + events,
                    handlersAci.toString(), "--name=writer", "--environment=E=app", "--readonly-rootfs",
                    "--supplementary-gids=5,65534", "--memory=64Mi", "--mount", "volume=shared,target=/shared",
                    "--mount", "volume=ro,target=/ro", "--mount", "volume=rw,target=/rw",
                    "--exec", "/bin/sh", "--", "-c", writer,
                    "---", aci(), "--name=reader", "--user=65534", "--group=65534",
                    "--mount", "volume=shared,target=/data", "--exec", "/bin/sh", "--", "-c", reader));
            BosunResult run = call(mode, work, null, args);
            assertExit(0, run);
            assertEquals(rt + ": each app's output:\n" + run.describe(), Set.of("[writer] from-host",
                    "[writer] rw-written", "[writer] shared-written", "[writer] id=0:0 groups=0 5 65534 host=oci-features",
                    "[writer] env=caller image file set-env app", "[writer] limit=67108864", "[writer] dd=137",
                    "[reader] read data 770 65534:65534 id=65534:65534 host=oci-features"),
                    Set.copyOf(run.stdoutLines()));
            assertTrue(rt + ": writing the read-only volume and the read-only rootfs fail:\n" + run.describe(),
                    run.stderr.contains("/ro/denied") && run.stderr.contains("/rootfs-file"));
            assertEquals(rt, "y\n", Files.readString(rw.resolve("made")));
            assertFalse(rt, Files.exists(ro.resolve("denied")));
            assertEquals(rt + ": the image's event handlers ran around the app", "pre-start\npost-stop\n",
                    Files.readString(events.resolve("log")));
        }
    }

    @Test
    public void enterRunsACommandInARunningAppAndStopEndsItsAppsAtOnce() throws Exception {
        for (String rt : RUNTIMES) {
            Path uuidFile = work.resolve(rt + ".uuid");
            BosunProcess run = startBosun("run", INSECURE, OCI, runtime(rt), "--stage1-option=stop-timeout=60",
                    "--uuid-file-save=" + uuidFile,
                    aci(), "--name=web", "--exec", "/bin/sh", "--", "-c", "touch /only-web; echo ready; exec sleep 1000",
                    "---", aci(), "--name=db", "--exec", "/bin/sh", "--", "-c",
                    "trap 'exit 0' TERM; while :; do sleep 0.1; done");
            run.closeStdin();
            assertEquals(rt + ": the app started:\n" + run.snapshot(), "[web] ready", run.nextLine(CALL_TIMEOUT));
            String uuid = Files.readString(uuidFile).trim();
            String cmdline = E2e.cmdline(run.pid());
            assertFalse(rt + ": no JVM in the pod's process: " + cmdline, cmdline.contains("java"));
            BosunResult ready = bosun("status", "--wait-ready=30s", uuid);
            assertExit(0, ready);
            assertLine("state=running", ready);
            assertLine("app-web=running", ready);
            assertLine("app-db=running", ready);

            BosunResult enter = bosun("enter", "--app=web", uuid, "/bin/sh", "-c", "ls /only-web; hostname; exit 5");
            assertExit(5, enter);
            assertEquals(rt + ": inside the app:\n" + enter.describe(), "/only-web\nbosun-" + uuid.substring(0, 8) + "\n",
                    enter.stdout);
            BosunResult other = bosun("enter", "--app=db", uuid, "/bin/sh", "-c", "ls /only-web || echo absent");
            assertTrue(rt + ": the other app has its own rootfs:\n" + other.describe(), other.stdout.endsWith("absent\n"));

            assertExit(0, bosun("stop", uuid));
            long stopped = System.nanoTime();
            BosunResult ended = run.await(Duration.ofSeconds(30));
            long millis = (System.nanoTime() - stopped) / 1_000_000;
            assertEquals(rt + ": sleep ended by SIGTERM, not killed after the timeout:\n" + ended.describe(), 143,
                    ended.exitCode);
            assertTrue(rt + ": the pod ended " + millis + " ms after bosun stop returned", millis < 5_000);
            BosunResult status = bosun("status", uuid);
            assertLine("state=exited", status);
            assertLine("app-web=143", status);
            assertLine("app-db=0", status);
        }
    }

    /**
     * {@code --stage1-option=pid=pod}: the apps share one PID namespace whose PID 1 is the pod's holder
     * ({@code catatonit -P}), so each sees the other's processes; without it neither does. Nothing of
     * the pod is left after gc.
     */
    @Test
    public void withPidPodTheAppsShareOnePidNamespaceAndSeeEachOthersProcesses() throws Exception {
        String look = "sleep 0.5; echo \"$(cat /proc/1/cmdline | tr '\\0' ' ')|$(cat /proc/[0-9]*/cmdline 2>/dev/null"
                + " | tr '\\0' ' ')\"";
        for (String rt : RUNTIMES) {
            for (boolean shared : new boolean[] {true, false}) {
                Path uuidFile = work.resolve(rt + shared + ".uuid");
                List<String> args = new ArrayList<>(List.of("run", INSECURE, OCI, runtime(rt)));
                if (shared) {
                    args.add("--stage1-option=pid=pod");
                }
                args.addAll(List.of("--uuid-file-save=" + uuidFile, aci(), "--name=first", "--exec", "/bin/sleep",
                        "--", "1.5", "---", aci(), "--name=second", "--exec", "/bin/sh", "--", "-c", look));
                BosunResult run = bosun(args.toArray(String[]::new));
                assertExit(0, run);
                String seen = run.stdout;
                String where = rt + (shared ? " pid=pod" : " pid=app") + ":\n" + run.describe();
                assertEquals(where, shared, seen.contains("sleep 1.5"));
                assertEquals(where, shared, seen.contains("catatonit -P |"));
                String uuid = Files.readString(uuidFile).trim();
                assertExit(0, bosun("gc", "--grace-period=0s"));
                assertTrue(where + ": the pod's processes are gone: " + E2e.processesUnder(work), eventually(
                        Duration.ofSeconds(10), Duration.ofMillis(50), () -> E2e.processesUnder(work).isEmpty()));
                assertEquals(where, List.of(), cgroupsOf(uuid));
            }
        }
        assertNoPods();
        assertEquals("mounts under " + work, List.of(), E2e.mountsUnder(work));
        BosunResult fly = bosun("run", INSECURE, "--stage1-name=fly", "--stage1-option=pid=pod", aci(), "--exec",
                "/bin/true");
        assertTrue(fly.describe(), fly.exitCode != 0 && fly.stderr.contains("fly runs its app in the host's PID namespace"));
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
    }

    /**
     * {@code --stage1-option=pid=host}: the apps are in the host's PID namespace with the capabilities
     * they have in one of their own; {@code --sysctl}: the pod's network and IPC settings, set before
     * the app starts, the host's unchanged. A host setting, a network one with --net=host and pid=host on
     * nspawn are refused in one line, nothing left.
     */
    @Test
    public void withPidHostTheAppsAreInTheHostsPidNamespaceAndSysctlsAreThePods() throws Exception {
        String hostPid = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        String hostSomaxconn = Files.readString(Path.of("/proc/sys/net/core/somaxconn")).trim();
        String hostShmmni = Files.readString(Path.of("/proc/sys/kernel/shmmni")).trim();
        String look = "readlink /proc/self/ns/pid; cat /proc/sys/net/core/somaxconn /proc/sys/kernel/shmmni;"
                + " grep CapEff /proc/self/status";
        for (String rt : RUNTIMES) {
            List<List<String>> seen = new ArrayList<>();
            for (boolean host : new boolean[] {true, false}) {
                List<String> args = new ArrayList<>(List.of("run", INSECURE, OCI, runtime(rt), "--net=none",
                        "--sysctl=net.core.somaxconn=1111", "--sysctl", "kernel.shmmni=2222"));
                if (host) {
                    args.add("--stage1-option=pid=host");
                }
                args.addAll(List.of(aci(), "--exec", "/bin/sh", "--", "-c", look));
                BosunResult run = bosun(args.toArray(String[]::new));
                assertExit(0, run);
                List<String> lines = run.stdout.lines().map(String::trim).toList();
                String where = rt + (host ? " pid=host" : " pid=app") + ":\n" + run.describe();
                assertEquals(where, host, hostPid.equals(lines.get(0)));
                assertEquals(where, List.of("1111", "2222"), lines.subList(1, 3));
                seen.add(lines);
                assertExit(0, bosun("gc", "--grace-period=0s"));
            }
            assertEquals(rt + ": the same capabilities in the host's PID namespace", seen.get(1).get(3), seen.get(0).get(3));
        }
        assertEquals(hostSomaxconn, Files.readString(Path.of("/proc/sys/net/core/somaxconn")).trim());
        assertEquals(hostShmmni, Files.readString(Path.of("/proc/sys/kernel/shmmni")).trim());
        BosunResult hostKey = bosun("run", INSECURE, OCI, "--net=none", "--sysctl=vm.swappiness=1", aci(), "--exec",
                "/bin/true");
        assertExit(125, hostKey); // run: any failure before the app starts
        assertTrue(hostKey.describe(), hostKey.stderr.contains("--sysctl vm.swappiness=1: vm.swappiness is not a setting"));
        BosunResult hostNet = bosun("run", INSECURE, OCI, "--net=host", "--sysctl=net.core.somaxconn=1", aci(), "--exec",
                "/bin/true");
        assertExit(125, hostNet);
        assertTrue(hostNet.describe(), hostNet.stderr.contains("host's network"));
        BosunResult nspawn = bosun("run", INSECURE, "--stage1-name=nspawn", "--net=none", "--stage1-option=pid=host",
                aci(), "--exec", "/bin/true");
        assertTrue(nspawn.describe(), nspawn.exitCode != 0 && nspawn.stderr.contains("stage1 engine nspawn cannot run apps"
                + " in the host's PID namespace"));
        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertNoPods();
        assertEquals("mounts under " + work, List.of(), E2e.mountsUnder(work));
    }

    @Test
    public void gcAfterStopForceLeavesNoProcessCgroupMountOrRuntimeState() throws Exception {
        for (String rt : RUNTIMES) {
            Path uuidFile = work.resolve(rt + ".uuid");
            BosunProcess run = startBosun("run", INSECURE, OCI, runtime(rt), "--uuid-file-save=" + uuidFile, aci(),
                    "--exec", "/bin/sh", "--", "-c", "trap '' TERM; echo ready; sleep 120");
            run.closeStdin();
            assertEquals(rt + ": the app started:\n" + run.snapshot(), "ready", run.nextLine(CALL_TIMEOUT));
            String uuid = Files.readString(uuidFile).trim();
            assertFalse(rt + ": a running pod has cgroups", cgroupsOf(uuid).isEmpty());
            assertExit(0, bosun("stop", "--force", uuid));
            assertEquals(128 + 9, run.await(Duration.ofSeconds(30)).exitCode);
            assertTrue(rt + ": the pod's processes are gone: " + E2e.processesUnder(work),
                    eventually(Duration.ofSeconds(10), Duration.ofMillis(50), () -> E2e.processesUnder(work).isEmpty()));
            BosunResult gc = bosun("gc", "--grace-period=0s");
            assertExit(0, gc);
            assertNoPods();
            assertEquals(rt + ": mounts under " + work, List.of(), E2e.mountsUnder(work));
            assertEquals(rt + ": cgroups of pod " + uuid, List.of(), cgroupsOf(uuid));
        }
    }

    /** The pod's cgroup directories ({@code bosun-UUID}) anywhere in the host's hierarchies. */
    static List<Path> cgroupsOf(String uuid) throws IOException {
        List<Path> found = new ArrayList<>();
        String name = "bosun-" + uuid;
        List<Path> queue = new ArrayList<>(List.of(Path.of("/sys/fs/cgroup")));
        for (int i = 0; i < queue.size() && queue.size() < 50_000; i++) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(queue.get(i),
                    p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                for (Path child : children) {
                    if (child.getFileName().toString().equals(name)) {
                        found.add(child);
                    } else {
                        queue.add(child);
                    }
                }
            } catch (IOException e) {
                // removed meanwhile
            }
        }
        return found;
    }
}
