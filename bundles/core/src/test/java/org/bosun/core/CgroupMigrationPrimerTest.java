package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bosun.host.cgroup.ProcessCgroupFiles;
import org.bosun.host.files.MountInfo;
import org.junit.Test;

public class CgroupMigrationPrimerTest {
    /** The primer's choice among the cgroups of {@code cgroupLines}, found in {@code mountinfoLines}. */
    static Optional<Path> procsFile(List<String> cgroupLines, List<String> mountinfoLines) {
        return CgroupMigrationPrimer.procsFile(ProcessCgroupFiles.parse(cgroupLines, MountInfo.parse(mountinfoLines)));
    }

    static final List<String> HYBRID_MOUNTS = List.of(
            "25 30 0:23 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755",
            "26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate",
            "28 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 master:3 - cgroup cgroup rw,cpu,cpuacct",
            "29 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory");

    @Test
    public void theOwnCgroupOfTheUnifiedHierarchyWhenOneIsMounted() {
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified/system.slice/bosun.service/cgroup.procs")),
                procsFile(List.of("4:memory:/system.slice/bosun.service", "3:cpu,cpuacct:/",
                        "0::/system.slice/bosun.service"), HYBRID_MOUNTS));
    }

    @Test
    public void theOwnCgroupOfAMountedLegacyHierarchyWithoutCgroup2() {
        List<String> legacyOnly = HYBRID_MOUNTS.stream().filter(l -> !l.contains("cgroup2")).toList();
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/memory/user/1000/cgroup.procs")),
                procsFile(List.of("5:pids:/elsewhere", "4:memory:/user/1000", "0::/user/1000"),
                        legacyOnly));
        assertEquals("co-mounted controllers match their mount",
                Optional.of(Path.of("/sys/fs/cgroup/cpu,cpuacct/cgroup.procs")),
                procsFile(List.of("3:cpu,cpuacct:/"), legacyOnly));
    }

    @Test
    public void nothingToPrimeWithoutAMountedHierarchy() {
        assertEquals(Optional.empty(), procsFile(List.of("0::/"), List.of(
                "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw")));
    }

    /**
     * On this host (root): the primer moves this JVM into the cgroup it is in, again and again, until
     * told to linger and then stop; the JVM's cgroups are the same afterwards.
     */
    @Test(timeout = 20_000)
    public void primingMovesThisProcessIntoItsOwnCgroupAndChangesNothing() throws Exception {
        assumeTrue("needs root to write cgroup.procs", "root".equals(System.getProperty("user.name")));
        String before = Files.readString(Path.of("/proc/self/cgroup"));
        CgroupMigrationPrimer primer = CgroupMigrationPrimer.start();
        Thread.sleep(100);
        primer.linger();
        primer.close();
        primer.join();
        assertTrue("the primer wrote: " + primer.writes(), primer.writes() > 1);
        assertEquals(before, Files.readString(Path.of("/proc/self/cgroup")));
    }

    @Test(timeout = 20_000)
    public void closingWithoutLingerStopsAtOnce() throws Exception {
        CgroupMigrationPrimer primer = CgroupMigrationPrimer.start();
        primer.close();
        primer.join();
        int writes = primer.writes();
        Thread.sleep(20);
        assertEquals(writes, primer.writes());
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("bosun-cgroup-primer")));
    }
}
