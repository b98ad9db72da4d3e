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

import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

public class AppStartTest {
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
        assertTrue(AppStart.script(), AppStart.script().endsWith("true > \"/opt/stage2/$app/started\"\n"));
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
        assertTrue(AppStart.waitScript(db), AppStart.waitScript(db).contains("*/app-db.service) ok=1"));
        // the script only moves the app, as root; the held app cannot, and runs nothing of its own before
        assertTrue(AppStart.script(), AppStart.script().contains("kill -KILL \"$pid\""));
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
