package org.bosun.host.cgroup;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.app.Pressure;
import org.bosun.api.app.ResourceUsage;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CgroupUsageTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aHybridHostsFiguresComeFromTheV1CpuacctAndMemoryHierarchies() throws Exception {
        Path cpu = tmp.newFolder("cpu,cpuacct", "pod", "app-web").toPath();
        Path memory = tmp.newFolder("memory", "pod", "app-web").toPath();
        Path unified = tmp.newFolder("unified", "pod", "app-web").toPath();
        Files.writeString(unified.resolve("cgroup.controllers"), "hugetlb\n"); // a hybrid host's cgroup2: no cpu, no memory
        Files.writeString(unified.resolve("cgroup.procs"), "");
        Files.writeString(cpu.resolve("cpuacct.usage"), "1500000000\n");
        Files.writeString(cpu.resolve("cgroup.procs"), "10\n11\n");
        Files.writeString(memory.resolve("memory.usage_in_bytes"), "40000000\n");
        // the cgroup's own lines and the total_ ones, which count its sub-cgroups too
        Files.writeString(memory.resolve("memory.stat"), "cache 10\nrss 20\ninactive_file 5\ntotal_cache 6000000\n"
                + "total_rss 30000000\ntotal_inactive_file 4000000\ntotal_pgfault 700\ntotal_pgmajfault 3\n");

        ResourceUsage u = CgroupUsage.read(List.of(unified, cpu, memory));

        assertEquals(Long.valueOf(1_500_000_000L), u.cpuUsageNanos());
        assertEquals(Long.valueOf(40_000_000L), u.memoryUsageBytes());
        assertEquals(Long.valueOf(36_000_000L), u.memoryWorkingSetBytes());
        assertEquals(Long.valueOf(30_000_000L), u.memoryRssBytes());
        assertEquals(Long.valueOf(700), u.pageFaults());
        assertEquals(Long.valueOf(3), u.majorPageFaults());
    }

    @Test
    public void aUnifiedHostsFiguresComeFromCpuStatAndMemoryCurrent() throws Exception {
        Path dir = tmp.newFolder("pod", "app-web").toPath();
        Files.writeString(dir.resolve("cgroup.controllers"), "cpu memory pids\n");
        Files.writeString(dir.resolve("cgroup.procs"), "42\n");
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
        Files.writeString(dir.resolve("memory.current"), "1000000\n");
        Files.writeString(dir.resolve("memory.stat"), "anon 600000\nfile 400000\ninactive_file 300000\npgfault 9\n"
                + "pgmajfault 1\n");

        ResourceUsage u = CgroupUsage.read(List.of(dir));

        assertEquals(Long.valueOf(2_500_000L), u.cpuUsageNanos());
        assertEquals(Long.valueOf(700_000L), u.memoryWorkingSetBytes());
        assertEquals(Long.valueOf(600_000L), u.memoryRssBytes());
        assertEquals(Long.valueOf(9), u.pageFaults());
        assertEquals(Long.valueOf(1), u.processes());
    }

    @Test
    public void theWorkingSetIsNeverNegativeAndAGoneCgroupHasNoFigures() throws Exception {
        Path memory = tmp.newFolder("memory").toPath();
        Files.writeString(memory.resolve("memory.usage_in_bytes"), "100\n");
        Files.writeString(memory.resolve("memory.stat"), "total_inactive_file 4096\n");
        assertEquals(Long.valueOf(0), CgroupUsage.read(List.of(memory)).memoryWorkingSetBytes());

        ResourceUsage gone = CgroupUsage.read(List.of(tmp.getRoot().toPath().resolve("removed")));
        assertNull(gone.cpuUsageNanos());
        assertNull(gone.memoryUsageBytes());
    }

    @Test
    public void swapIsMemswLessUsageOnV1AndSwapCurrentOnV2() throws Exception {
        Path memory = tmp.newFolder("memory", "pod").toPath();
        Files.writeString(memory.resolve("memory.usage_in_bytes"), "40000000\n");
        Files.writeString(memory.resolve("memory.memsw.usage_in_bytes"), "41000000\n");
        Files.writeString(memory.resolve("memory.stat"), "total_inactive_file 0\n");
        assertEquals(Long.valueOf(1_000_000L), CgroupUsage.read(List.of(memory)).swapUsageBytes());
        Files.delete(memory.resolve("memory.memsw.usage_in_bytes"));
        assertNull("swap not accounted (swapaccount=0)", CgroupUsage.read(List.of(memory)).swapUsageBytes());

        Path v2 = tmp.newFolder("v2", "pod").toPath();
        Files.writeString(v2.resolve("cgroup.controllers"), "memory\n");
        Files.writeString(v2.resolve("memory.current"), "1000\n");
        Files.writeString(v2.resolve("memory.stat"), "anon 10\n");
        Files.writeString(v2.resolve("memory.swap.current"), "4096\n");
        assertEquals(Long.valueOf(4096), CgroupUsage.read(List.of(v2)).swapUsageBytes());
    }

    /** A hybrid host: the v1 hierarchies have no pressure files, the unified one has them. */
    @Test
    public void pressureComesFromTheFirstDirectoryThatHasThem() throws Exception {
        Path cpu = tmp.newFolder("cpu,cpuacct", "pod").toPath();
        Files.writeString(cpu.resolve("cpuacct.usage"), "1\n");
        Path unified = tmp.newFolder("unified", "pod").toPath();
        Files.writeString(unified.resolve("cgroup.controllers"), "\n");
        Files.writeString(unified.resolve("cpu.pressure"), "some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=789\n");
        Files.writeString(unified.resolve("memory.pressure"), "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        Files.writeString(unified.resolve("io.pressure"), "some avg10=12.00 avg60=3.00 avg300=1.00 total=99\n");

        ResourceUsage u = CgroupUsage.read(List.of(cpu, unified));

        assertEquals(new Pressure(new Pressure.Stall(1.5, 0.25, 0, 123456), new Pressure.Stall(0, 0, 0, 789)),
                u.cpuPressure());
        assertEquals(0, u.memoryPressure().some().totalMicros());
        assertEquals("an old kernel's io.pressure without a full line", new Pressure(new Pressure.Stall(12, 3, 1, 99), null),
                u.ioPressure());
        assertNull("no pressure files: no figures", CgroupUsage.read(List.of(cpu)).cpuPressure());
    }

    @Test
    public void aPressureLineThatIsNotOneIsAnErrorNamingTheFile() throws Exception {
        Path dir = tmp.newFolder("unified").toPath();
        Path file = Files.writeString(dir.resolve("cpu.pressure"), "some avg10=x avg60=0 avg300=0 total=1\n");
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> CgroupUsage.pressure(file));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().startsWith("cannot read pressure file " + file));
    }
}
