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

    /**
     * The pod's sysctls are set by its init before systemd, through a proc of its own (nspawn's
     * /proc/sys is read-only), in the pod's network and IPC namespaces (here new ones), and that proc
     * is gone when systemd starts; a value the kernel refuses ends the pod naming the key.
     */
    @Test(timeout = 60_000)
    public void theInitSetsThePodsSysctlsBeforeSystemd() throws Exception {
        assumeTrue("runs in namespaces of its own: needs root", "root".equals(System.getProperty("user.name")));
        Map<String, String> sysctls = new java.util.LinkedHashMap<>();
        sysctls.put("net.core.somaxconn", "1111");
        sysctls.put("kernel.shmmni", "2222");
        org.bosun.api.stage1.PodDirectory pod = new org.bosun.api.stage1.PodDirectory(PodUnitsTest.UUID, PodUnitsTest.POD,
                List.of(PodUnitsTest.app("web", List.of("/bin/true"), Map.of())), Map.of(),
                new org.bosun.api.stage1.PodDirectory.Pod(null, null, null, false, null, null, false, sysctls));
        String stub = "cat /proc/sys/net/core/somaxconn /proc/sys/kernel/shmmni\n"
                + "grep -c sysctl-proc /proc/self/mountinfo || :\n";
        PodShell.Result r = new PodShell(tmp.getRoot().toPath()).stub("/usr/lib/systemd/systemd", stub)
                .run(Map.of("/run/init", Stage1Tree.initScript(pod)), "exec unshare --ipc --net -- sh /run/init\n");
        assertEquals(r.stderr(), 0, r.exitCode());
        assertEquals(List.of("1111", "2222", "0"), r.stdout().lines().toList());

        sysctls.put("kernel.shmmni", "not-a-number");
        org.bosun.api.stage1.PodDirectory bad = new org.bosun.api.stage1.PodDirectory(PodUnitsTest.UUID, PodUnitsTest.POD,
                List.of(PodUnitsTest.app("web", List.of("/bin/true"), Map.of())), Map.of(),
                new org.bosun.api.stage1.PodDirectory.Pod(null, null, null, false, null, null, false, sysctls));
        PodShell.Result refused = new PodShell(tmp.newFolder("bad").toPath()).stub("/usr/lib/systemd/systemd", stub)
                .run(Map.of("/run/init", Stage1Tree.initScript(bad)), "exec unshare --ipc --net -- sh /run/init\n");
        assertEquals(125, refused.exitCode());
        assertTrue(refused.stderr(), refused.stderr().contains("bosun: cannot set sysctl kernel.shmmni=not-a-number in"
                + " the pod"));
        assertEquals("", refused.stdout());
    }
}
