package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class Stage1TreeTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    /**
     * The pod's systemd looks for generators only in an empty directory of the stage1 tree: the
     * host's would turn its fstab, crypttab, gettys and SysV scripts into units of every pod. Run:
     * the init script, as the pod's PID 1, becomes a stand-in systemd with its arguments, after it
     * has left a process that keeps the pod's stdout (here a pipe) for the apps.
     */
    @Test(timeout = 60_000)
    public void thePodsSystemdRunsNoGenerators() throws Exception {
        assumeTrue("runs in namespaces of its own: needs root", "root".equals(System.getProperty("user.name")));
        String init = Stage1Tree.initScript(PodUnitsTest.pod(PodUnitsTest.app("web", List.of("/bin/true"), Map.of())));
        PodShell.Result r = new PodShell(tmp.getRoot().toPath())
                .stub("/usr/lib/systemd/systemd", "echo \"$$ $SYSTEMD_GENERATOR_PATH $SYSTEMD_ENVIRONMENT_GENERATOR_PATH $*\"\n"
                        + "readlink /run/bosun/stdout\n")
                .run(Map.of("/run/init", init), "exec sh /run/init systemd.unit=pod.target systemd.show_status=false\n");
        assertEquals(r.stderr(), 0, r.exitCode());
        List<String> lines = r.stdout().lines().toList();
        assertEquals("1 /bosun/no-generators /bosun/no-generators systemd.unit=pod.target systemd.show_status=false",
                lines.get(0));
        assertTrue("the apps' stdout is the pod's, through a process that keeps it: " + lines.get(1),
                lines.get(1).matches("/proc/[0-9]+/fd/1"));
    }
}
