package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * rkt's run features on the nspawn engine (issue 4): pod volumes (empty and host, read-only),
 * image mount points, {@code --readonly-rootfs}, supplementary groups, the environment's
 * precedence, a memory limit the app sees and that holds, appc event handlers, and the apps'
 * output: on bosun run's stdout and stderr, each line attributable to its app, and kept per app for
 * {@code bosun logs}.
 */
public class RunFeaturesIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String NSPAWN = "--stage1-name=nspawn";
    /** An image that declares a mount point {@code events} at /events, event handlers and an environment. */
    static final String HANDLERS_MANIFEST = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\","
            + "\"name\":\"example.com/handlers\",\"labels\":[{\"name\":\"os\",\"value\":\"linux\"},"
            + "{\"name\":\"arch\",\"value\":\"amd64\"}],"
            + "\"app\":{\"exec\":[\"/bin/sh\",\"-c\",\"echo app >> /events/log\"],\"user\":\"0\",\"group\":\"0\","
            + "\"environment\":[{\"name\":\"B\",\"value\":\"image\"},{\"name\":\"C\",\"value\":\"image\"},"
            + "{\"name\":\"D\",\"value\":\"image\"},{\"name\":\"E\",\"value\":\"image\"}],"
            + "\"eventHandlers\":[{\"name\":\"pre-start\",\"exec\":[\"/bin/sh\",\"-c\",\"echo pre-start >> /events/log\"]},"
            + "{\"name\":\"post-stop\",\"exec\":[\"/bin/sh\",\"-c\",\"echo post-stop >> /events/log\"]}],"
            + "\"mountPoints\":[{\"name\":\"events\",\"path\":\"/events\"}]}}";
    static Path handlersAci;
    static final Set<String> PODS = Collections.synchronizedSet(new LinkedHashSet<>());

    public RunFeaturesIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @BeforeClass
    public static void buildTheHandlersImage() throws Exception {
        handlersAci = TestImages.busyboxWithManifest(FIXTURE.images, "handlers", HANDLERS_MANIFEST);
    }

    @After
    public void rememberThePods() {
        for (String dir : E2e.podDirs(data)) {
            PODS.add(dir.substring(dir.indexOf('/') + 1));
        }
    }

    /** No pod of the class left a cgroup in any hierarchy, the legacy memory and cpu ones included. */
    @AfterClass
    public static void noPodLeftACgroup() throws Exception {
        List<String> left = E2e.podCgroups(PODS);
        assertEquals("cgroups left by the pods of " + RunFeaturesIT.class.getSimpleName(), List.of(), left);
    }

    @Test
    public void twoAppsShareAnEmptyVolumeAndEachOutputLineSaysWhichAppWroteIt() throws Exception {
        Path uuidFile = work.resolve("uuid");
        BosunResult run = bosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile,
                "--volume=shared,kind=empty,mode=0770,uid=65534,gid=65534",
                aci(), "--name=writer", "--mount", "volume=shared,target=/shared", "--exec", "/bin/sh", "--",
                "-c", "echo data > /shared/file && echo wrote; echo to-stderr >&2",
                "---", aci(), "--name=reader", "--mount", "volume=shared,target=/data", "--exec", "/bin/sh", "--",
                "-c", "i=0; until [ -s /data/file ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i+1)); done; "
                        + "echo \"read $(cat /data/file) $(stat -c '%a %u:%g' /data)\"");
        assertExit(0, run);
        assertEquals("each app's stdout, prefixed:\n" + run.describe(), Set.of("[writer] wrote", "[reader] read data 770 65534:65534"),
                Set.copyOf(run.stdoutLines()));
        assertEquals("stderr, prefixed:\n" + run.describe(), List.of("[writer] to-stderr"), run.stderrLines());

        String uuid = Files.readString(uuidFile).trim();
        BosunResult logs = bosun("logs", uuid);
        assertExit(0, logs);
        // app after app; an app's stdout and stderr lines are forwarded each on its own, in either order
        List<String> lines = logs.stdoutLines();
        assertEquals("bosun logs: app after app, prefixed:\n" + logs.describe(), 3, lines.size());
        assertEquals(logs.describe(), Set.of("[writer] wrote", "[writer] to-stderr"), Set.copyOf(lines.subList(0, 2)));
        assertEquals(logs.describe(), "[reader] read data 770 65534:65534", lines.get(2));
        BosunResult reader = bosun("logs", "--app=reader", uuid);
        assertExit(0, reader);
        assertEquals(reader.describe(), "read data 770 65534:65534\n", reader.stdout);
        assertOneClearLine(bosun("logs", "--app=nope", uuid));
    }

    @Test
    public void hostVolumesReadOnlyRootfsGroupsAndAMemoryLimitHold() throws Exception {
        Path ro = Files.createDirectories(work.resolve("ro"));
        Path rw = Files.createDirectories(work.resolve("rw"));
        Files.writeString(ro.resolve("given"), "from-host\n");
        BosunResult run = bosun("run", INSECURE, NSPAWN,
                "--volume=ro,kind=host,source=" + ro + ",readOnly=true", "--volume=rw,kind=host,source=" + rw,
                aci(), "--readonly-rootfs", "--supplementary-gids=5,7", "--memory=64Mi",
                "--mount", "volume=ro,target=/ro", "--mount", "volume=rw,target=/rw", "--exec", "/bin/sh", "--", "-c",
                "cat /ro/given; echo x > /ro/denied && echo ro-written; echo y > /rw/made && echo rw-written; "
                        + "touch /rootfs-file && echo root-written; echo groups=$(id -G); "
                        + "echo limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max); "
                        + "sleep 0.5; dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null; echo dd=$?");
        assertExit(0, run);
        assertEquals(run.describe(), List.of("from-host", "rw-written", "groups=0 5 7", "limit=67108864", "dd=137"),
                run.stdoutLines());
        assertTrue("writing a read-only volume and the read-only rootfs fail:\n" + run.describe(),
                run.stderr.contains("/ro/denied") && run.stderr.contains("/rootfs-file"));
        assertEquals("y\n", Files.readString(rw.resolve("made")));
        assertFalse(Files.exists(ro.resolve("denied")));
    }

    /**
     * An app with limits is in its limited cgroups before its own code runs: a child it forks at
     * once (here its very first command) is in them too. On a hybrid host those are legacy memory and cpu cgroups the engine makes; on a unified host, the
     * app unit's own.
     */
    @Test
    public void aChildTheLimitedAppForksAtOnceIsInItsCgroupsToo() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, aci(), "--name=web", "--user=nobody", "--memory=64Mi",
                "--cpu=500m", "--exec", "/bin/sh", "--", "-c",
                "sleep 2 & grep -E '^[0-9]+:(memory|cpu)(,[a-z,]*)?:|^0::' /proc/$!/cgroup | sed 's/^/child /'");
        assertExit(0, run);
        boolean hybrid = Files.isDirectory(Path.of("/sys/fs/cgroup/memory"));
        List<String> child = run.stdoutLines().stream().filter(l -> l.startsWith("child ")).toList();
        List<String> limited = child.stream().filter(l -> hybrid ? l.matches("child \\d+:(memory|cpu)(,\\S*)?:.*")
                : l.startsWith("child 0::")).toList();
        assertEquals("the child's cgroups (" + (hybrid ? "memory and cpu" : "unified") + "):\n" + run.describe(),
                hybrid ? 2 : 1, limited.size());
        for (String line : limited) {
            assertTrue("the child forked at once is in the app's limited cgroup:\n" + run.describe(),
                    line.endsWith("/app-web.service"));
        }
    }

    /**
     * The image's mount point is served by the pod volume of its name; its pre-start and post-stop
     * handlers run around the app; the environment follows rkt's precedence: the caller's
     * ({@code --inherit-env}) &lt; the image's &lt; {@code --set-env-file} &lt; {@code --set-env} &lt;
     * {@code --environment}.
     */
    @Test
    public void eventHandlersRunAroundTheAppAndTheEnvironmentFollowsRktsPrecedence() throws Exception {
        Path events = Files.createDirectories(work.resolve("events"));
        Path envFile = work.resolve("env");
        Files.writeString(envFile, "C=file\nD=file\nE=file\n");
        Path out = work.resolve("env.out");
        BosunResult run = call(mode, work, null, withCallerEnv(bosunArgs("run", INSECURE, NSPAWN, "--inherit-env",
                "--set-env-file=" + envFile, "--set-env=D=set-env", "--set-env=E=set-env",
                "--volume=events,kind=host,source=" + events, "--volume=out,kind=host,source=" + work,
                handlersAci.toString(), "--environment=E=app", "--mount", "volume=out,target=/out",
                "--exec", "/bin/sh", "--", "-c", "echo app >> /events/log; echo $A $B $C $D $E > /out/env.out")));
        assertExit(0, run);
        assertEquals(run.describe(), "pre-start\napp\npost-stop\n", Files.readString(events.resolve("log")));
        assertEquals(run.describe(), "caller image file set-env app\n", Files.readString(out));
    }

    private static List<String> withCallerEnv(List<String> bosun) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "A=caller", "B=caller", "C=caller", "D=caller",
                "E=caller"));
        cmd.addAll(bosun);
        return cmd;
    }

    @Test
    public void logsFollowPrintsWhatTheAppsWriteUntilThePodExits() throws Exception {
        Path uuidFile = work.resolve("uuid");
        BosunProcess run = startBosun("run", INSECURE, NSPAWN, "--uuid-file-save=" + uuidFile, aci(), "--name=one",
                "--exec", "/bin/sh", "--", "-c", "echo first; sleep 2; echo second",
                "---", aci(), "--name=two", "--exec", "/bin/sh", "--", "-c", "sleep 1; echo middle");
        run.closeStdin();
        assertTrue("the pod's UUID is saved", eventually(Duration.ofSeconds(60), Duration.ofMillis(50),
                () -> Files.exists(uuidFile) && !Files.readString(uuidFile).isBlank()));
        String uuid = Files.readString(uuidFile).trim();
        BosunResult follow = bosun("logs", "--follow", uuid);
        assertExit(0, follow);
        assertExit(0, run.await(Duration.ofSeconds(30)));
        assertEquals(follow.describe(), Set.of("[one] first", "[one] second", "[two] middle"),
                Set.copyOf(follow.stdoutLines()));
        BosunResult tail = bosun("logs", "--tail=1", "--app=one", uuid);
        assertEquals(tail.describe(), "second\n", tail.stdout);
    }

    @Test
    public void aMountOfAnUnknownVolumeOrAMissingHostSourceIsOneClearLine() throws Exception {
        BosunResult unknown = bosun("run", INSECURE, NSPAWN, aci(), "--mount", "volume=nope,target=/x", "--exec",
                "/bin/true");
        assertOneClearLine(unknown);
        assertContains("names the volume", "no volume 'nope'", unknown);
        BosunResult missing = bosun("run", INSECURE, NSPAWN, "--volume=v,kind=host,source=" + work.resolve("absent"),
                aci(), "--exec", "/bin/true");
        assertOneClearLine(missing);
        assertContains("names the source", "does not exist", missing);
        BosunResult twoOnOneTerminal = bosun("run", INSECURE, NSPAWN, "--interactive", aci(), "--exec", "/bin/true",
                "---", aci(), "--name=other", "--exec", "/bin/true");
        assertOneClearLine(twoOnOneTerminal);
        assertContains("says why", "--interactive gives the terminal to one app", twoOnOneTerminal);
        assertNoPods();
    }
}
