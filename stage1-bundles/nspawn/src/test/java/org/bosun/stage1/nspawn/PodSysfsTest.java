package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

public class PodSysfsTest {
    private static PodDirectory.App app(String name, List<String> masked) {
        return NspawnCommandTest.app(name, SecurityPolicy.UNCONFINED.withPaths(masked, List.of()), null, false);
    }

    private static PodDirectory pod(PodDirectory.App... apps) {
        return new PodDirectory(PodUnitsTest.UUID, NspawnCommandTest.POD, List.of(apps), Map.of());
    }

    @Test
    public void thePathsBelowSysThatEveryAppMasksAreMaskedForThePod() {
        assumeTrue("this host has /sys/firmware and /sys/kernel", Files.isDirectory(Path.of("/sys/firmware"))
                && Files.isDirectory(Path.of("/sys/kernel")));
        PodDirectory pod = pod(app("a", List.of("/proc/kcore", "/sys/firmware", "/sys/kernel")),
                app("b", List.of("/sys/firmware", "/proc/kcore")));
        assertEquals(List.of("--inaccessible=/sys/firmware"), PodSysfs.nspawnFlags(pod));
    }

    @Test
    public void noPathIsMaskedThatLeavesSysOrIsMissingHere() {
        PodDirectory pod = pod(app("a", List.of("/sys/../etc", "/sys/no-such-entry-of-bosun", "/proc/keys")));
        assertEquals(List.of(), PodSysfs.nspawnFlags(pod));
        assertEquals(List.of(), PodSysfs.nspawnFlags(pod(app("a", List.of()))));
    }

    /** The pod's systemd runs on /sys/fs/cgroup: a mask of /sys/fs masks everything else in it. */
    @Test
    public void aMaskAboveTheCgroupHierarchyMasksAllButIt() throws Exception {
        assumeTrue("this host has /sys/fs/cgroup", Files.isDirectory(Path.of("/sys/fs/cgroup")));
        List<String> flags = PodSysfs.nspawnFlags(pod(app("a", List.of("/sys/fs"))));
        assertFalse(flags.toString(), flags.contains("--inaccessible=/sys/fs"));
        assertFalse(flags.toString(), flags.contains("--inaccessible=/sys/fs/cgroup"));
        try (var entries = Files.list(Path.of("/sys/fs"))) {
            for (Path entry : entries.filter(e -> !e.getFileName().toString().equals("cgroup")).toList()) {
                assertTrue(entry + " in " + flags, flags.contains("--inaccessible=" + entry));
            }
        }
    }
}
