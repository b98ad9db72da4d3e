package org.bosun.host.cgroup;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.bosun.host.files.MountInfo;
import org.junit.Test;

public class ProcessCgroupFilesTest {
    /** A hybrid host's mountinfo, with one hierarchy mounted off its root at a path with a space. */
    static final List<MountInfo> MOUNTS = MountInfo.parse(List.of(
            "24 30 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
            "25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755",
            "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate",
            "28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct",
            "29 25 0:26 /sub /srv/mem\\040cg rw,relatime shared:12 - cgroup cgroup rw,memory"));

    @Test
    public void mountinfoPathsAreUnescapedAndItsFieldsRead() {
        MountInfo m = MOUNTS.get(4);
        assertEquals("/sub", m.root());
        assertEquals(Path.of("/srv/mem cg"), m.mountPoint());
        assertEquals("cgroup", m.fsType());
        assertEquals(List.of("rw", "memory"), m.superOptions());
        assertEquals(List.of("shared:12"), m.optionalFields());
        assertEquals(List.of("shared:11", "master:3"),
                MountInfo.parse("1 2 0:1 / /x rw shared:11 master:3 - cgroup cgroup rw,cpu").optionalFields());
        assertEquals(Path.of("/a\tb\\c"), MountInfo.parse("1 2 0:1 / /a\\011b\\134c rw - tmpfs t rw").mountPoint());
        assertNull(MountInfo.parse("not a mountinfo line"));
    }

    @Test
    public void eachCgroupIsFoundBelowTheRootOfTheMountOfItsHierarchy() {
        List<ProcessCgroupFiles.Cgroup> cgroups = ProcessCgroupFiles.parse(List.of("4:memory:/sub/pod",
                "2:cpu,cpuacct:/", "7:pids:/elsewhere", "5:memory:/other", "0::/bosun-x/app"), MOUNTS);
        assertEquals(List.of(new ProcessCgroupFiles.Cgroup(false, Set.of("memory"), Path.of("/srv/mem cg/pod")),
                new ProcessCgroupFiles.Cgroup(false, Set.of("cpu", "cpuacct"), Path.of("/sys/fs/cgroup/cpu,cpuacct")),
                new ProcessCgroupFiles.Cgroup(true, Set.of(), Path.of("/sys/fs/cgroup/unified/bosun-x/app"))), cgroups);
        assertEquals(Path.of("/srv/mem cg/pod/cgroup.procs"), cgroups.get(0).procs());
    }

    /** On this host: every cgroup of this JVM that is mounted here is a directory with its pid in cgroup.procs. */
    @Test
    public void thisProcessIsInEachOfItsCgroups() throws Exception {
        List<ProcessCgroupFiles.Cgroup> own = ProcessCgroupFiles.of(ProcessHandle.current().pid());
        assertFalse(own.isEmpty());
        String pid = Long.toString(ProcessHandle.current().pid());
        for (ProcessCgroupFiles.Cgroup c : own) {
            assertTrue(c.toString(), Files.readAllLines(c.procs()).contains(pid));
        }
    }
}
