package org.bosun.stage1.rules;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

public class ProcessCgroupsTest {
    /** A hybrid host's mountinfo, as these machines have it, with a cgroup hierarchy mounted off its root. */
    static final List<String> MOUNTS = List.of(
            "24 30 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw",
            "25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755",
            "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate",
            "27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd",
            "28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct",
            "29 25 0:26 /sub /srv/mem\\040cg rw,relatime shared:12 - cgroup cgroup rw,memory");

    @Test
    public void eachHierarchyOfTheProcessIsJoinedWhereItIsMounted() {
        List<Path> files = ProcessCgroups.procsFiles(List.of("9:name=systemd:/bosun-x/payload", "4:memory:/sub/pod",
                "2:cpu,cpuacct:/", "7:pids:/elsewhere", "0::/bosun-x/payload/system.slice/app-web.service"), MOUNTS);
        assertEquals(List.of(Path.of("/sys/fs/cgroup/systemd/bosun-x/payload/cgroup.procs"),
                Path.of("/srv/mem cg/pod/cgroup.procs"), Path.of("/sys/fs/cgroup/cpu,cpuacct/cgroup.procs"),
                Path.of("/sys/fs/cgroup/unified/bosun-x/payload/system.slice/app-web.service/cgroup.procs")), files);
    }

    @Test
    public void aCgroupOutsideAMountsRootHasNoFileToJoin() {
        assertEquals(List.of(), ProcessCgroups.procsFiles(List.of("4:memory:/other"), MOUNTS));
    }

    /** The step as a real shell runs it: it joins this test's own cgroups (where it already is) and execs the rest. */
    @Test
    public void theStepJoinsAndExecsTheCommand() throws Exception {
        long self = ProcessHandle.current().pid();
        List<String> step = new java.util.ArrayList<>(ProcessCgroups.joinStep(self));
        assertTrue(step.toString(), step.stream().anyMatch(a -> a.endsWith("/cgroup.procs")));
        step.addAll(List.of("/usr/bin/sh", "-c", "cat /proc/self/cgroup"));
        Process p = new ProcessBuilder(step).redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(err, 0, p.exitValue());
        assertEquals(Files.readString(Path.of("/proc/self/cgroup")), out);

        List<String> missing = new java.util.ArrayList<>(List.of(step.get(0), step.get(1), step.get(2), step.get(3),
                "/sys/fs/cgroup/no-such-cgroup-of-bosun/cgroup.procs", "--", "/usr/bin/true"));
        Process refused = new ProcessBuilder(missing).redirectInput(new File("/dev/null")).start();
        String why = new String(refused.getErrorStream().readAllBytes());
        assertTrue(refused.waitFor(10, TimeUnit.SECONDS));
        assertEquals(125, refused.exitValue());
        assertEquals("bosun enter: cannot join the app's cgroup /sys/fs/cgroup/no-such-cgroup-of-bosun\n", why);
    }
}
