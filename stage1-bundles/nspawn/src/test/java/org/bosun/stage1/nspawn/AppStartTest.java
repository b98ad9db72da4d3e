package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.cgroup.CgroupTree;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AppStartTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    static PodDirectory.App app(Map<String, String> env, Resources resources) {
        return new PodDirectory.App("db", PodUnitsTest.POD.resolve("apps/db/rootfs"), List.of("/bin/db", "--port", "$1"),
                env, 0, 0, "/", List.of(), List.of(), false, resources, null, null, null, null, Map.of());
    }

    static final Resources LIMITED = new Resources(64L << 20, 500L, null, null);

    @Test
    public void theStartIsRecordedAfterSystemdHasExecdTheApp() {
        String unit = AppStart.unit(app(Map.of(), null), false);
        List<String> lines = List.of(unit.split("\n"));
        assertTrue(unit, lines.contains("After=app-db.service"));
        assertTrue(unit, lines.contains("Type=oneshot"));
        assertTrue(unit, lines.contains("ExecStart=/usr/bin/sh /bosun/started db"));
    }

    /**
     * The started unit's script, run as systemd runs it (a stand-in systemctl tells whether and
     * when the app's main process was started): the start is recorded in the pod's apps/db/started;
     * an app whose pre-start handler failed was never started, and nothing is recorded.
     */
    @Test(timeout = 60_000)
    public void theScriptRecordsTheStartOfAnAppSystemdStarted() throws Exception {
        assumeTrue("runs in namespaces of its own: needs root", "root".equals(System.getProperty("user.name")));
        PodShell.Result r = new PodShell(tmp.getRoot().toPath())
                .stub("/usr/bin/systemctl", "cat \"/run/show/$4\"\n")
                .run(Map.of("/run/started", AppStart.script(),
                        "/run/show/app-db.service", "MainPID=0\nExecMainStartTimestampMonotonic=1234567\n",
                        "/run/show/app-web.service", "MainPID=0\nExecMainStartTimestampMonotonic=0\n"),
                        "mkdir -p /opt/stage2/db /opt/stage2/web\n"
                                + "sh /run/started db && sh /run/started web\n"
                                + "ls /opt/stage2/db /opt/stage2/web\n");
        assertEquals(r.stderr(), 0, r.exitCode());
        assertEquals("/opt/stage2/db:\nstarted\n\n/opt/stage2/web:\n", r.stdout());
    }

    /**
     * On a hybrid host the script moves the held app into its legacy cgroups before it records the
     * start; an app it cannot move (here: no such cgroup) is killed before it runs anything of its
     * own, and no start is recorded.
     */
    @Test(timeout = 60_000)
    public void anAppTheScriptCannotPutInItsCgroupsIsKilledBeforeItRuns() throws Exception {
        assumeTrue("runs in namespaces of its own: needs root", "root".equals(System.getProperty("user.name")));
        PodShell.Result r = new PodShell(tmp.getRoot().toPath())
                .stub("/usr/bin/systemctl", "cat \"/run/show/$4\"\n")
                .run(Map.of("/run/started", AppStart.script()),
                        "mkdir -p /opt/stage2/db /run/show\n"
                                + "sleep 30 &\nheld=$!\n"
                                + "printf 'MainPID=%s\\nExecMainStartTimestampMonotonic=1234567\\n' $held"
                                + " > /run/show/app-db.service\n"
                                + "sh /run/started db memory; echo \"exit $?\"\n"
                                + "wait $held 2>/dev/null; echo \"held $?\"\n"
                                + "ls /opt/stage2/db\n");
        assertEquals("exit 1\nheld 137\n", r.stdout());
        assertEquals("bosun: cannot put app db in its memory cgroup; stopping it\n", r.stderr());
    }

    @Test
    public void onAHybridHostALimitedAppIsHeldUntilItIsInItsCgroups() {
        PodDirectory.App db = app(Map.of(), LIMITED);
        assertTrue(AppStart.unit(db, true).contains("\nExecStart=/usr/bin/sh /bosun/started db memory cpu\n"));
        String unit = PodUnits.app(db, List.of(), true, 0);
        List<String> lines = List.of(unit.split("\n"));
        assertTrue(unit, lines.contains("BindReadOnlyPaths=/usr/bin/busybox:/dev/.bosun-busybox"));
        String exec = lines.stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertTrue(exec, exec.startsWith("ExecStart=@\"/dev/.bosun-busybox\" \"sh\" \"-c\" \"t=0\\nfor c in memory cpu; do"));
        assertTrue("the app's own command line follows, unchanged: " + exec,
                exec.endsWith(" \"bosun\" \"/bin/db\" \"--port\" \"$$1\""));
    }

    /**
     * The held app, run by the real static busybox in real legacy memory and cpu cgroups: it waits
     * until it is in its cgroups of both controllers (the started unit's script moves it there),
     * and only then execs the app.
     */
    @Test(timeout = 60_000)
    public void aHeldAppRunsOnlyOnceItIsInItsCgroupsOfEveryController() throws Exception {
        assumeTrue("needs root and " + AppStart.BUSYBOX, "root".equals(System.getProperty("user.name"))
                && Files.isExecutable(Path.of(AppStart.BUSYBOX)));
        List<Path> parents = new ArrayList<>();
        for (String controller : List.of("memory", "cpu")) {
            Path own = LegacyCgroups.own(controller);
            assumeTrue("needs a legacy " + controller + " hierarchy (a hybrid host)", own != null);
            parents.add(own.resolve("bosun-test-" + UUID.randomUUID()));
        }
        PodDirectory.App db = new PodDirectory.App("db", PodUnitsTest.POD.resolve("apps/db/rootfs"),
                List.of("/usr/bin/echo", "running"), Map.of("PATH", "/usr/bin"), 0, 0, "/", List.of(), List.of(), false,
                LIMITED, null, null, null, null, Map.of());
        try {
            List<Path> units = new ArrayList<>();
            for (Path parent : parents) {
                units.add(Files.createDirectories(parent.resolve(PodUnits.appUnit("db"))));
            }
            List<String> argv = new ArrayList<>(List.of(AppStart.BUSYBOX, "sh", "-c", AppStart.waitScript(db), "bosun"));
            argv.addAll(db.exec());
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.environment().clear();
            pb.environment().putAll(db.environment());
            Process p = pb.start();
            Files.writeString(units.get(0).resolve("cgroup.procs"), Long.toString(p.pid()));
            Thread.sleep(300);
            assertTrue("held while it is in one of its two cgroups", p.isAlive());
            Files.writeString(units.get(1).resolve("cgroup.procs"), Long.toString(p.pid()));
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals("running\n", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            CgroupTree.kill(parents);
            CgroupTree.remove(parents);
        }
    }

    @Test
    public void withoutLegacyLimitsTheAppIsExecdDirectly() {
        PodDirectory.App db = app(Map.of(), LIMITED);
        assertEquals("\"/bin/db\" \"--port\" \"$$1\"", AppStart.execStart(db, false));
        String unified = PodUnits.app(db, List.of(), false, 0);
        assertTrue(unified, unified.lines().noneMatch(l -> l.contains("busybox")));
    }

    /** Run by the real static busybox: what the shell added to the environment is gone when the app runs. */
    @Test
    public void theHeldAppGetsExactlyTheEnvironmentOfItsUnit() throws Exception {
        assumeTrue("needs " + AppStart.BUSYBOX, Files.isExecutable(Path.of(AppStart.BUSYBOX)));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PWD", "/not/the/cwd");
        env.put("TRICKY", "it's $HOME");
        // no SHLVL, no PATH: the shell would add both
        PodDirectory.App db = new PodDirectory.App("db", PodUnitsTest.POD.resolve("apps/db/rootfs"), List.of("/usr/bin/env"),
                env, 0, 0, "/", List.of(), List.of(), false, null, null, null, null, null, Map.of());
        List<String> argv = new ArrayList<>(List.of(AppStart.BUSYBOX, "sh", "-c", AppStart.waitScript(db), "bosun"));
        argv.addAll(db.exec());
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.waitFor());
        Map<String, String> seen = new TreeMap<>();
        out.lines().forEach(l -> seen.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertEquals(new TreeMap<>(env), seen);
    }
}
