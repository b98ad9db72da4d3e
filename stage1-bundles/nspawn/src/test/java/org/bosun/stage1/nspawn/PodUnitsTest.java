package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.app.AppLifecycle;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PodUnitsTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    static final String UUID = "0b9d6d43-6f0c-4a43-9f50-2f1f3c1a7a10";
    static final Path POD = Path.of("/var/lib/bosun/pods/prepare", UUID);

    static PodDirectory.App app(String name, List<String> exec, Map<String, String> env) {
        return new PodDirectory.App(name, POD.resolve("apps").resolve(name).resolve("rootfs"), exec, env, 65534, 65533,
                "/srv/data", null, null, false, null, null, null, null, null, null);
    }

    static PodDirectory pod(PodDirectory.App... apps) {
        return new PodDirectory(UUID, POD, List.of(apps), Map.of());
    }

    @Test
    public void theAppUnitRunsTheAppChrootedInItsRootfsAsItsUserWithItsEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", "/home/app");
        String unit = PodUnits.app(app("web", List.of("/bin/httpd", "-f", "-p", "8080"), env));
        List<String> lines = List.of(unit.split("\n"));
        assertTrue(unit, lines.contains("Type=exec"));
        assertTrue(unit, lines.contains("RootDirectory=/opt/stage2/web/rootfs"));
        assertTrue(unit, lines.contains("MountAPIVFS=yes"));
        assertTrue(unit, lines.contains("User=65534"));
        assertTrue(unit, lines.contains("Group=65533"));
        assertTrue(unit, lines.contains("WorkingDirectory=/srv/data"));
        assertTrue(unit, lines.contains("Environment=\"PATH=/usr/bin:/bin\""));
        assertTrue(unit, lines.contains("Environment=\"HOME=/home/app\""));
        assertTrue(unit, lines.contains("ExecStart=\"/bin/httpd\" \"-f\" \"-p\" \"8080\""));
        assertTrue(unit, lines.contains("StandardInput=null"));
        assertTrue(unit, lines.contains("StandardOutput=append:/run/bosun/apps/web.out"));
        assertTrue(unit, lines.contains("StandardError=append:/run/bosun/apps/web.err"));
        assertTrue(unit, lines.contains("DefaultDependencies=no"));
        assertTrue(unit, lines.contains("Conflicts=shutdown.target"));
    }

    @Test
    public void whatSystemdAddsToTheEnvironmentIsRemovedUnlessTheAppSetsIt() {
        String unit = PodUnits.app(app("web", List.of("/bin/true"), Map.of("HOME", "/home/app", "TERM", "dumb")));
        String unset = List.of(unit.split("\n")).stream().filter(l -> l.startsWith("UnsetEnvironment=")).findFirst()
                .orElseThrow();
        List<String> names = List.of(unset.substring("UnsetEnvironment=".length()).split(" "));
        assertTrue(unset, names.containsAll(List.of("INVOCATION_ID", "SYSTEMD_EXEC_PID", "LANG", "USER", "SHELL")));
        assertFalse(unset, names.contains("HOME"));
        assertFalse(unset, names.contains("TERM"));
    }

    @Test
    public void theReaperStopsAfterItsAppAndKeepsTheAppsDirectoryMountedUntilItHasRun() {
        String unit = PodUnits.reaper("web");
        List<String> lines = List.of(unit.split("\n"));
        assertTrue(unit, lines.contains("BindsTo=app-web.service"));
        assertTrue(unit, lines.contains("Before=app-web.service"));
        assertTrue(unit, lines.contains("RequiresMountsFor=/opt/stage2"));
        assertTrue(unit, lines.contains("RemainAfterExit=yes"));
        assertTrue(unit, lines.contains("ExecStop=/usr/bin/sh /bosun/reap web"));
    }

    @Test
    public void thePodTargetWantsEveryAppAndItsReaperInManifestOrder() {
        PodDirectory pod = pod(app("b", List.of("/bin/true"), Map.of()), app("a", List.of("/bin/true"), Map.of()));
        String target = PodUnits.target(pod);
        assertTrue(target, target.contains("\nWants=app-b.service reaper-b.service started-b.service app-a.service "
                + "reaper-a.service started-a.service\n"));
        assertEquals(List.of("pod.target", "halt.target", "bosun-stop.service", "app-b.service", "reaper-b.service",
                "started-b.service", "app-a.service", "reaper-a.service", "started-a.service"),
                List.copyOf(PodUnits.all(pod).keySet()));
    }

    @Test
    public void haltingThePodMakesItExitWith143UnlessTheAppsSayOtherwise() {
        assertTrue(PodUnits.HALT, PodUnits.HALT.contains("\nWants=bosun-stop.service\n"));
        assertTrue(PodUnits.STOP, PodUnits.STOP.contains("\nExecStart=/usr/bin/systemctl --no-block exit 143\n"));
    }

    /**
     * The reaper of each app, run as systemd runs it when the app has stopped (a stand-in systemctl
     * tells how the app ended): the app's exit code, 128+N for a signal, into its status. The first
     * app to fail stops the others (appc's onAnyFailure), and the pod exits with its code, not that of
     * an app it stopped, whatever their order in the manifest.
     */
    @Test(timeout = 60_000)
    public void theFirstAppToFailStopsTheOthersAndGivesThePodItsCode() throws Exception {
        assumeTrue("runs in namespaces of its own: needs root",
                "root".equals(System.getProperty("user.name")));
        PodDirectory pod = pod(app("first", List.of("/bin/true"), Map.of()), app("second", List.of("/bin/true"), Map.of()),
                app("third", List.of("/bin/true"), Map.of()));
        PodShell.Result r = reap(pod, Map.of("second", "ExecMainCode=1\nExecMainStatus=3\n",
                "first", "ExecMainCode=2\nExecMainStatus=15\n", "third", "ExecMainCode=1\nExecMainStatus=0\n"),
                "second", "first", "third");
        assertEquals(r.stderr(), 0, r.exitCode());
        assertEquals(List.of("after second: --no-block stop app-first.service app-third.service",
                "after first: --no-block stop app-first.service app-third.service",
                "after third: --no-block stop app-first.service app-third.service", "--no-block exit 3", "143", "3", "0",
                "--no-block stop app-first.service app-third.service", "--no-block exit 3"), r.stdout().lines().toList());
    }

    /** Apps that exit with 0 end nothing: the pod runs until its last app is done. */
    @Test(timeout = 60_000)
    public void anAppThatExitsWithZeroStopsNoOtherApp() throws Exception {
        assumeTrue("runs in namespaces of its own: needs root",
                "root".equals(System.getProperty("user.name")));
        PodDirectory pod = pod(app("first", List.of("/bin/true"), Map.of()), app("second", List.of("/bin/true"), Map.of()));
        PodShell.Result r = reap(pod, Map.of("first", "ExecMainCode=1\nExecMainStatus=0\n",
                "second", "ExecMainCode=1\nExecMainStatus=0\n"), "first", "second");
        assertEquals(r.stderr(), 0, r.exitCode());
        assertEquals(List.of("after first: ", "after second: --no-block exit 0", "0", "0", "--no-block exit 0"),
                r.stdout().lines().toList());
    }

    /**
     * In a sandbox apps come and go on request: the reaper records each app's code, and neither a
     * failure nor the last app's end stops anything (bosun stop ends the sandbox).
     */
    @Test(timeout = 60_000)
    public void aSandboxsReaperRecordsTheCodeAndEndsNothing() throws Exception {
        assumeTrue("runs in namespaces of its own: needs root",
                "root".equals(System.getProperty("user.name")));
        PodDirectory sandbox = new PodDirectory(UUID, POD, List.of(app("first", List.of("/bin/true"), Map.of()),
                app("second", List.of("/bin/true"), Map.of())),
                Map.of(AppLifecycle.EXIT_POLICY, AppLifecycle.EXIT_POLICY_NEVER));
        PodShell.Result r = reap(sandbox, Map.of("first", "ExecMainCode=1\nExecMainStatus=3\n",
                "second", "ExecMainCode=2\nExecMainStatus=9\n"), "first", "second");
        assertEquals(r.stderr(), 0, r.exitCode());
        assertEquals(List.of("after first: ", "after second: ", "3", "137"), r.stdout().lines().toList());
        assertEquals("a sandbox stopped ends with 0", PodUnits.STOP_SANDBOX, PodUnits.all(sandbox).get(PodUnits.STOP_SERVICE));
    }

    @Test
    public void anAddedAppsDropInPullsInItsReaperAndStartRecorderAndLogsToItsFile() {
        List<String> lines = List.of(AddedApps.addedDropIn("web", org.bosun.api.app.AppIo.DEFAULT).split("\n"));
        assertTrue(lines.toString(), lines.contains("Wants=reaper-web.service started-web.service"));
        assertTrue(lines.toString(), lines.contains("StandardInput=null"));
        assertTrue(lines.toString(), lines.contains("StandardOutput=append:/opt/stage2/web/log"));
        assertTrue(lines.toString(), lines.contains("StandardError=append:/opt/stage2/web/log"));
        assertTrue(lines.toString(), lines.contains("CollectMode=inactive-or-failed"));
        assertEquals("the default modes need no holder", null, AddedApps.holderUnit("web", org.bosun.api.app.AppIo.DEFAULT));
    }

    @Test
    public void aStreamAppsStdinIsItsFifoKeptOpenByAHolderUnitBoundToTheApp() {
        org.bosun.api.app.AppIo io = new org.bosun.api.app.AppIo(org.bosun.api.app.AppIo.Mode.STREAM,
                org.bosun.api.app.AppIo.Mode.STREAM, org.bosun.api.app.AppIo.Mode.NULL);
        List<String> lines = List.of(AddedApps.addedDropIn("web", io).split("\n"));
        assertTrue(lines.toString(), lines.contains("Wants=reaper-web.service started-web.service io-web.service"));
        assertTrue(lines.toString(), lines.contains("After=io-web.service"));
        assertTrue(lines.toString(), lines.contains("StandardInput=file:/opt/stage2/web/stdin"));
        assertTrue(lines.toString(), lines.contains("StandardOutput=append:/opt/stage2/web/log"));
        assertTrue(lines.toString(), lines.contains("StandardError=null"));
        List<String> holder = List.of(AddedApps.holderUnit("web", io).split("\n"));
        for (String line : List.of("BindsTo=app-web.service", "Before=app-web.service", "Type=notify",
                "ExecStart=/usr/bin/python3 /bosun/ttyhold --fifo /opt/stage2/web/stdin")) {
            assertTrue(holder.toString(), holder.contains(line));
        }
    }

    @Test
    public void aTtyAppGetsTheSlaveOfItsHoldersTerminal() {
        org.bosun.api.app.AppIo io = new org.bosun.api.app.AppIo(org.bosun.api.app.AppIo.Mode.TTY,
                org.bosun.api.app.AppIo.Mode.TTY, org.bosun.api.app.AppIo.Mode.TTY);
        List<String> lines = List.of(AddedApps.addedDropIn("sh", io).split("\n"));
        for (String line : List.of("StandardInput=tty", "TTYPath=/run/bosun/tty/sh", "StandardOutput=tty",
                "StandardError=tty", "After=io-sh.service")) {
            assertTrue(lines.toString(), lines.contains(line));
        }
        List<String> holder = List.of(AddedApps.holderUnit("sh", io).split("\n"));
        assertTrue(holder.toString(), holder.contains(
                "ExecStart=/usr/bin/python3 /bosun/ttyhold --pty /run/bosun/tty/sh /opt/stage2/sh/tty"));
        assertTrue(holder.toString(), holder.contains("StandardOutput=append:/opt/stage2/sh/log"));
    }

    /** Runs the reap script for each app of {@code order}, each ending as {@code ends} says (systemctl show). */
    private PodShell.Result reap(PodDirectory pod, Map<String, String> ends, String... order) throws Exception {
        Map<String, String> files = new java.util.HashMap<>(Map.of("/run/reap", Stage1Tree.reapScript(pod)));
        StringBuilder script = new StringBuilder("mkdir -p /run/bosun/exited");
        ends.forEach((app, show) -> files.put("/run/show/app-" + app + ".service", show));
        pod.apps().forEach(app -> script.append(" /opt/stage2/").append(app.name()));
        script.append('\n');
        for (String app : order) {
            script.append("sh /run/reap ").append(app).append('\n');
            script.append("echo \"after ").append(app).append(": $(cat /run/calls 2>/dev/null)\"\n");
        }
        pod.apps().forEach(app -> script.append("cat /opt/stage2/").append(app.name()).append("/status\n"));
        script.append("cat /run/calls 2>/dev/null || true\n");
        return new PodShell(tmp.getRoot().toPath())
                .stub("/usr/bin/systemctl", "case $1 in\nshow) cat \"/run/show/$4\" ;;\n--no-block) echo \"$*\" >> /run/calls ;;\n"
                        + "esac\n")
                .run(files, script.toString());
    }

    @Test
    public void bindPathsEscapeColonsAndBackslashes() {
        assertEquals("/data/a\\:b/c\\\\d", NspawnEngine.bindPath(Path.of("/data/a:b/c\\d")));
    }
}
