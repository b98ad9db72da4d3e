package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

public class Stage1TreeTest {
    /**
     * The pod's systemd looks for generators only in an empty directory of the stage1 tree: the
     * host's would turn its fstab, crypttab, gettys and SysV scripts into units of every pod.
     */
    @Test
    public void thePodsSystemdRunsNoGenerators() {
        String init = Stage1Tree.initScript(PodUnitsTest.pod(PodUnitsTest.app("web", List.of("/bin/true"),
                java.util.Map.of())));
        String last = init.lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last, last.equals("SYSTEMD_GENERATOR_PATH=/bosun/no-generators"
                + " SYSTEMD_ENVIRONMENT_GENERATOR_PATH=/bosun/no-generators exec /usr/lib/systemd/systemd \"$@\""));
    }
}
