package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

public class PodSelinuxTest {
    private static PodDirectory.App app(String name, SelinuxLabels labels) {
        SecurityPolicy policy = SecurityPolicy.UNCONFINED.withSelinuxLabels(labels);
        return new PodDirectory.App(name, Path.of("/pods/p/apps/" + name + "/rootfs"), List.of("/bin/true"), Map.of(), 0,
                0, "/", null, null, false, null, policy, null, null, null, null);
    }

    private static PodDirectory pod(PodDirectory.App... apps) {
        return new PodDirectory("p", Path.of("/pods/p"), List.of(apps), Map.of());
    }

    @Test
    public void thePodsLabelsBecomeSystemdNspawnsZAndLFlags() {
        SelinuxLabels labels = new SelinuxLabels("system_u:system_r:container_t:s0:c1,c2",
                "system_u:object_r:container_file_t:s0:c1,c2");
        assertEquals(List.of("-Zsystem_u:system_r:container_t:s0:c1,c2", "-Lsystem_u:object_r:container_file_t:s0:c1,c2"),
                PodSelinux.nspawnFlags(pod(app("a", labels), app("b", labels))));
    }

    @Test
    public void aPodWithoutLabelsGetsNoFlags() {
        assertEquals(List.of(), PodSelinux.nspawnFlags(pod(app("a", SelinuxLabels.NONE))));
    }

    @Test
    public void appsWithDifferentLabelsAreRefused() {
        assertThrows(BosunException.class, () -> PodSelinux.nspawnFlags(pod(app("a", new SelinuxLabels("u:r:t:s0:c1,c2", null)),
                app("b", new SelinuxLabels("u:r:t:s0:c3,c4", null)))));
    }
}
