package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

public class SupervisorScriptTest {
    static SupervisorScript.Plan plan(OciRuntime runtime, boolean interactive, String... apps) {
        return new SupervisorScript.Plan("1234", runtime, Path.of("/usr/bin/" + runtime.command),
                java.util.Arrays.stream(apps).map(a -> new SupervisorScript.AppPlan(a, false, false, null, null)).toList(),
                interactive, 10, List.of(), true);
    }

    @Test
    public void runGivesThePodACgroupNamedAfterItInEveryHierarchyThenEntersACgroupNamespace() {
        String run = SupervisorScript.run(plan(OciRuntime.RUNC, false, "web"));
        assertTrue(run, run.contains("/bosun-1234\n"));
        assertTrue(run, run.contains("echo \"$dir\" >> engine/cgroups"));
        assertTrue(run, run.endsWith("exec /usr/bin/unshare --cgroup -- /usr/bin/sh \"$engine/supervise\"\n"));
    }

    @Test
    public void onlyCrunLeavesTheCgroup2HierarchyOfAHybridHostUnmounted() {
        String crun = SupervisorScript.supervise(plan(OciRuntime.CRUN, false, "web"));
        String runc = SupervisorScript.supervise(plan(OciRuntime.RUNC, false, "web"));
        String skip = "if [ \"$fstype\" = cgroup2 ] && [ -n \"$v1\" ]; then continue; fi";
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

    @Test
    public void quotingSurvivesSingleQuotes() {
        assertEquals("'it'\\''s'", SupervisorScript.quote("it's"));
    }
}
