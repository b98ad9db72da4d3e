package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

public class AppUnitSettingsTest {
    static final Path POD = PodUnitsTest.POD;

    static PodDirectory.App app(String name, List<PodDirectory.Mount> mounts, boolean readonly, Resources resources,
            Map<String, List<String>> handlers) {
        return new PodDirectory.App(name, POD.resolve("apps").resolve(name).resolve("rootfs"), List.of("/bin/db"),
                Map.of(), 0, 0, "/", List.of(20, 30), mounts, readonly, resources, null, null, null, null, handlers);
    }

    @Test
    public void anAppsUnitBindsItsVolumesMakesItsRootReadOnlyAndRunsItsHandlers() {
        PodDirectory.App db = app("db", List.of(new PodDirectory.Mount("data", Path.of("/srv/host"), "/var/lib/db", false, true),
                new PodDirectory.Mount("conf", POD.resolve("volumes/conf"), "/etc/db", true, false)), true, null,
                Map.of("pre-start", List.of("/bin/setup", "--init"), "post-stop", List.of("/bin/cleanup")));
        String unit = PodUnits.app(db, List.of(), false, 0);
        for (String line : List.of("BindPaths=/opt/volumes/data:/var/lib/db:rbind",
                "BindReadOnlyPaths=/opt/volumes/conf:/etc/db:norbind", "ReadOnlyPaths=/opt/stage2/db/rootfs",
                "SupplementaryGroups=20 30", "ExecStartPre=!\"/bin/setup\" \"--init\"", "ExecStopPost=-!\"/bin/cleanup\"",
                "StandardOutput=append:/run/bosun/apps/db.out", "StandardError=append:/run/bosun/apps/db.err")) {
            assertTrue("expected " + line + " in\n" + unit, unit.lines().anyMatch(line::equals));
        }
    }

    @Test
    public void limitsGoToSystemdOnAUnifiedHostAndToLegacyCgroupsTheAppSeesOnAHybridOne() {
        PodDirectory.App db = app("db", List.of(), false, new Resources(64L << 20, 500L, 1024L, 100), Map.of());
        String unified = PodUnits.app(db, List.of(), false, 100);
        for (String line : List.of("MemoryMax=67108864", "CPUQuota=50%", "CPUWeight=39", "OOMScoreAdjust=100")) {
            assertTrue("expected " + line + " in\n" + unified, unified.lines().anyMatch(line::equals));
        }
        String hybrid = PodUnits.app(db, List.of(), true, 100);
        for (String line : List.of("TemporaryFileSystem=/sys/fs/cgroup:ro,mode=0755",
                "BindReadOnlyPaths=/bosun/cgroup/memory/app-db.service:/sys/fs/cgroup/memory",
                "BindReadOnlyPaths=/bosun/cgroup/cpu/app-db.service:/sys/fs/cgroup/cpu")) {
            assertTrue("expected " + line + " in\n" + hybrid, hybrid.lines().anyMatch(line::equals));
        }
        assertTrue(hybrid, hybrid.lines().noneMatch(l -> l.startsWith("MemoryMax=")));
        PodDirectory pod = new PodDirectory(PodUnitsTest.UUID, POD, List.of(db), Map.of());
        assertEquals("app-db.service memory memory.limit_in_bytes 67108864\n"
                + "app-db.service cpu cpu.cfs_period_us 100000\n"
                + "app-db.service cpu cpu.cfs_quota_us 50000\n"
                + "app-db.service cpu cpu.shares 1024\n", AppUnitSettings.legacyLimits(pod));
    }

    @Test
    public void theInteractiveAppHasThePodsConsoleForStdinStdoutAndStderr() {
        String unit = AppUnitSettings.onTerminal(PodUnits.app(app("sh", List.of(), false, null, Map.of())));
        for (String line : List.of("StandardInput=tty", "TTYPath=/dev/console", "StandardOutput=inherit",
                "StandardError=inherit")) {
            assertTrue("expected " + line + " in\n" + unit, unit.lines().anyMatch(line::equals));
        }
        assertTrue(unit, unit.lines().noneMatch(l -> l.contains("/run/bosun/apps/")));
    }

    @Test
    public void eachVolumeIsBoundIntoThePodOnceWritableIfAnyAppMountsItWritable() {
        PodDirectory.Mount ro = new PodDirectory.Mount("data", Path.of("/srv/a:b"), "/data", true, true);
        PodDirectory.Mount rw = new PodDirectory.Mount("data", Path.of("/srv/a:b"), "/d", false, true);
        PodDirectory pod = new PodDirectory(PodUnitsTest.UUID, POD, List.of(app("a", List.of(ro), false, null, Map.of()),
                app("b", List.of(rw), false, null, Map.of())), Map.of());
        assertEquals(List.of("--bind=/srv/a\\:b:/opt/volumes/data:rbind"), AppUnitSettings.nspawnBinds(pod));
    }
}
