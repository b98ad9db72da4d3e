package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 13: what an rkt user's pods did that bosun's must do alike, on every engine it concerns
 * (nspawn, oci with runc and with crun, fly where it applies): a failing app ends its pod (appc's
 * onAnyFailure exit policy); {@code --dns=none} leaves no resolv.conf and a volume on an etc file
 * wins over the pod's; /etc/mtab is a link to /proc/self/mounts; an image's resource isolators apply; fly mounts what rkt's fly did; an image's
 * declared volume starts with the image's files; {@code --ipc} gives the pod its own IPC namespace or
 * the host's.
 */
public class PodParityIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    /** The isolating engines, each as the flags that choose it. */
    static final List<List<String>> ISOLATING = List.of(List.of("--stage1-name=nspawn"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=runc"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=crun"));

    public PodParityIT(Mode mode) {
        super(FIXTURE, mode);
    }

    /** {@code bosun run} with the engine's flags after {@code INSECURE}, then {@code args}. */
    private BosunResult run(List<String> engine, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run", INSECURE));
        all.addAll(engine);
        all.addAll(Arrays.asList(args));
        return bosun(all.toArray(String[]::new));
    }

    @Test
    public void aFailingAppStopsTheOtherAppsAndThePodExitsWithItsCode() throws Exception {
        for (List<String> engine : ISOLATING) {
            Path uuidFile = work.resolve("uuid-" + ISOLATING.indexOf(engine));
            long started = System.nanoTime();
            BosunResult run = run(engine, "--uuid-file-save=" + uuidFile,
                    aci(), "--name=sleeper", "--exec", "/bin/sh", "--", "-c", "sleep 120",
                    "---", aci(), "--name=failing", "--exec", "/bin/sh", "--", "-c", "sleep 1; exit 3");
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            assertExit(3, run);
            assertTrue(engine + ": the sleeper was stopped, not waited for (" + seconds + " s)", seconds < 60);
            BosunResult status = bosun("status", Files.readString(uuidFile).trim());
            assertExit(0, status);
            assertLine("app-failing=3", status);
            assertTrue(engine + ": the sleeper was stopped by SIGTERM:\n" + status.describe(),
                    status.stdoutLines().contains("app-sleeper=143"));
        }
    }

    @Test
    public void anAppThatExitsWithZeroDoesNotEndThePod() throws Exception {
        for (List<String> engine : ISOLATING) {
            BosunResult run = run(engine, aci(), "--name=quick", "--exec", "/bin/true",
                    "---", aci(), "--name=slow", "--exec", "/bin/sh", "--", "-c", "sleep 2; echo done");
            assertExit(0, run);
            assertEquals(engine + ":\n" + run.describe(), Set.of("[slow] done"), Set.copyOf(run.stdoutLines()));
        }
    }

    /** {@code --dns=none} writes no resolv.conf: the app keeps its image's (this one has none), as with rkt. */
    @Test
    @AgentModeOnly("the pod's files are the engine's in both modes")
    public void dnsNoneLeavesTheAppNoResolvConf() throws Exception {
        for (List<String> engine : ISOLATING) {
            BosunResult run = run(engine, "--dns=none", aci(), "--exec", "/bin/sh", "--", "-c",
                    "if [ -e /etc/resolv.conf ]; then echo \"resolv.conf of $(wc -c < /etc/resolv.conf) bytes\"; "
                            + "else echo no resolv.conf; fi");
            assertExit(0, run);
            assertEquals(engine + ":\n" + run.describe(), List.of("no resolv.conf"), run.stdoutLines());
        }
    }

    /** A volume mounted on /etc/hosts or /etc/resolv.conf wins over the file bosun writes for the pod. */
    @Test
    @AgentModeOnly("volumes are prepared by the same code in both modes")
    public void aVolumeOnAnEtcFileWinsOverThePodsOwn() throws Exception {
        Path hosts = Files.writeString(work.resolve("hosts"), "192.0.2.7\tfrom-volume\n");
        Path resolv = Files.writeString(work.resolve("resolv.conf"), "nameserver 192.0.2.53\n");
        for (List<String> engine : ISOLATING) {
            BosunResult run = run(engine, "--volume=hosts,kind=host,source=" + hosts,
                    "--volume=resolv,kind=host,source=" + resolv + ",readOnly=true", "--dns=192.0.2.1",
                    aci(), "--mount", "volume=hosts,target=/etc/hosts", "--mount", "volume=resolv,target=/etc/resolv.conf",
                    "--exec", "/bin/sh", "--", "-c", "cat /etc/hosts /etc/resolv.conf; cat /etc/hostname > /dev/null");
            assertExit(0, run);
            assertEquals(engine + ":\n" + run.describe(), List.of("192.0.2.7\tfrom-volume", "nameserver 192.0.2.53"),
                    run.stdoutLines());
        }
    }

    /** Every app's /etc/mtab is a link to /proc/self/mounts, as rkt made it, on every engine. */
    @Test
    @AgentModeOnly("the pod's files are the engine's in both modes")
    public void etcMtabIsALinkToTheAppsOwnMounts() throws Exception {
        List<List<String>> engines = new ArrayList<>(ISOLATING);
        engines.add(List.of(FLY));
        for (List<String> engine : engines) {
            BosunResult run = run(engine, aci(), "--exec", "/bin/sh", "--", "-c", "readlink /etc/mtab");
            assertExit(0, run);
            assertEquals(engine + ":\n" + run.describe(), List.of("/proc/self/mounts"), run.stdoutLines());
        }
    }

    /** An ACI whose app declares a 25Mi memory limit and half a CPU, as appc isolators. */
    static final String LIMITED_MANIFEST = TestImages.MANIFEST.replace("\"name\":\"example.com/busybox\"",
            "\"name\":\"example.com/limited\"").replace("\"workingDirectory\":\"/\"", "\"workingDirectory\":\"/\","
                    + "\"isolators\":[{\"name\":\"resource/memory\",\"value\":{\"limit\":\"25Mi\"}},"
                    + "{\"name\":\"resource/cpu\",\"value\":{\"request\":\"250m\",\"limit\":\"500m\"}}]");
    static final String SHOW_MEMORY_LIMIT = "echo limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null"
            + " || cat /sys/fs/cgroup/memory.max)";

    /** The image's resource isolators apply unless a flag sets the resource, as with rkt. */
    @Test
    @AgentModeOnly("isolators are prepare's code in both modes")
    public void theImagesMemoryLimitAppliesUnlessAFlagSetsAnother() throws Exception {
        Path limited = TestImages.busyboxWithManifest(work, "limited", LIMITED_MANIFEST);
        for (List<String> engine : ISOLATING) {
            BosunResult run = run(engine, limited.toString(), "--exec", "/bin/sh", "--", "-c", SHOW_MEMORY_LIMIT);
            assertExit(0, run);
            assertEquals(engine + ": 25Mi:\n" + run.describe(), List.of("limit=26214400"), run.stdoutLines());
            BosunResult flag = run(engine, limited.toString(), "--memory=64Mi", "--exec", "/bin/sh", "--", "-c",
                    SHOW_MEMORY_LIMIT);
            assertExit(0, flag);
            assertEquals(engine + ": --memory wins:\n" + flag.describe(), List.of("limit=67108864"), flag.stdoutLines());
        }
    }

    /**
     * fly mounts what rkt's fly mounted: the host's /proc, /dev, /sys and /tmp, the pod's volumes and
     * its resolv.conf ({@code --dns}), in a mount namespace of the pod's own: the host sees none of it.
     */
    @Test
    public void flyMountsProcDevSysTheVolumesAndTheDnsFilesPrivately() throws Exception {
        Path volume = Files.createDirectories(work.resolve("volume"));
        Files.writeString(volume.resolve("given"), "from-volume\n");
        BosunResult run = run(List.of(FLY), "--volume=data,kind=host,source=" + volume + ",readOnly=true",
                "--dns=192.0.2.1", aci(), "--mount", "volume=data,target=/data", "--exec", "/bin/sh", "--", "-c",
                "cat /data/given; touch /data/denied 2>/dev/null || echo read-only; [ -e /proc/self/mounts ] && echo proc; "
                        + "[ -c /dev/null ] && echo dev; [ -d /sys/kernel ] && echo sys; [ -d /tmp ] && echo tmp; "
                        + "grep nameserver /etc/resolv.conf");
        assertExit(0, run);
        assertEquals(run.describe(), List.of("from-volume", "read-only", "proc", "dev", "sys", "tmp",
                "nameserver 192.0.2.1"), run.stdoutLines());
        assertEquals("no mount reached the host's namespace", List.of(), E2e.mountsUnder(work));
    }

    /**
     * An OCI image's declared volume (config.Volumes) with no volume given gets an implicit one that
     * starts with the image's files there, as Docker, podman and rkt's converted Docker images have it.
     */
    @Test
    @AgentModeOnly("volumes are prepared by the same code in both modes")
    public void anImagesDeclaredVolumeStartsWithTheImagesFiles() throws Exception {
        OciImages images = OciImages.build(Files.createDirectories(work.resolve("images")));
        OciImages.run(work, null, List.of("umoci", "config", "--image", images.layout + ":layers", "--tag",
                "volume", "--config.volume=/data"));
        for (List<String> engine : ISOLATING) {
            BosunResult run = run(engine, images.source("volume"), "--exec", "/bin/sh", "--", "-c",
                    "cat /data/third.txt; grep -q ' /data ' /proc/self/mounts && echo a-volume");
            assertExit(0, run);
            assertEquals(engine + ":\n" + run.describe(), List.of(OciImages.THIRD, "a-volume"), run.stdoutLines());
        }
    }

    /**
     * rkt's {@code --ipc}: {@code private} (and {@code auto}, its default on an isolating engine) is
     * an IPC namespace of the pod's own, which its apps share; {@code parent} is the host's, in a
     * {@code --private-users} pod too. fly has the host's, and refuses {@code private} in one line.
     */
    @Test
    @AgentModeOnly("the namespaces are the engine's, set up alike in both modes")
    public void ipcPrivateIsThePodsOwnNamespaceAndParentIsTheHosts() throws Exception {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        // oci's runtime works as the pod's own host uid with --private-users, and must pass through
        java.nio.file.Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        String show = "readlink /proc/self/ns/ipc";
        for (List<String> engine : ISOLATING) {
            for (String ipc : List.of("--ipc=auto", "--ipc=private")) {
                BosunResult run = run(engine, ipc, aci(), "--name=one", "--exec", "/bin/sh", "--", "-c", show,
                        "---", aci(), "--name=two", "--exec", "/bin/sh", "--", "-c", show);
                assertExit(0, run);
                List<String> seen = run.stdoutLines().stream().map(l -> l.replaceFirst("^\\[(one|two)\\] ", ""))
                        .distinct().toList();
                assertEquals(engine + " " + ipc + ": one namespace for both apps:\n" + run.describe(), 1, seen.size());
                assertTrue(engine + " " + ipc + ": not the host's " + host + ":\n" + run.describe(),
                        seen.get(0).startsWith("ipc:[") && !seen.get(0).equals(host));
            }
            for (List<String> users : List.of(List.<String>of(), List.of("--private-users"))) {
                List<String> args = new ArrayList<>(users);
                args.addAll(List.of("--ipc=parent", aci(), "--exec", "/bin/sh", "--", "-c", show));
                BosunResult run = run(engine, args.toArray(String[]::new));
                assertExit(0, run);
                assertEquals(engine + " " + users + " --ipc=parent:\n" + run.describe(), List.of(host), run.stdoutLines());
            }
        }
        BosunResult fly = run(List.of(FLY), aci(), "--exec", "/bin/sh", "--", "-c", show);
        assertExit(0, fly);
        assertEquals("fly has the host's:\n" + fly.describe(), List.of(host), fly.stdoutLines());
        BosunResult refused = bosun("prepare", INSECURE, FLY, "--ipc=private", aci(), "--exec", "/bin/true");
        assertExit(4, refused);
        assertOneClearLine(refused);
        assertContains("fly --ipc=private", "--ipc=private", refused);
        BosunResult bad = bosun("prepare", INSECURE, "--ipc=shared", aci(), "--exec", "/bin/true");
        assertExit(4, bad);
        assertOneClearLine(bad);
        assertTrue("nothing prepared", E2e.podDirs(data).stream().noneMatch(d -> !d.startsWith("run/")));
    }
}
