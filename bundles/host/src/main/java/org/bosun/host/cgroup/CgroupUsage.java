package org.bosun.host.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.app.Pressure;
import org.bosun.api.app.ResourceUsage;

/**
 * What the processes of one cgroup use, from the files of its directories (one per hierarchy: a
 * hybrid host has {@code cpu,cpuacct} and {@code memory} v1 hierarchies, a unified one a single
 * cgroup2 directory). CPU time is {@code cpuacct.usage} (v1) or {@code usage_usec} of
 * {@code cpu.stat} (v2); memory is {@code memory.usage_in_bytes} and the {@code total_*} lines of
 * {@code memory.stat} (v1, which count the sub-cgroups) or {@code memory.current} and
 * {@code memory.stat} (v2); the working set is usage less inactive file pages, as cAdvisor computes
 * it for kubelet. Swap: {@code memory.memsw.usage_in_bytes} less {@code memory.usage_in_bytes}
 * (v1, where swap is accounted) or {@code memory.swap.current} (v2). Pressure stall information:
 * {@code cpu.pressure}, {@code memory.pressure} and {@code io.pressure} of the first cgroup v2
 * directory that has them (on a hybrid host, the unified hierarchy's, which has them whatever
 * controllers it holds), where the kernel has PSI.
 */
public final class CgroupUsage {
    private CgroupUsage() {
    }

    /** The figures of the cgroup whose directories are {@code dirs}; null where no directory gives them. */
    public static ResourceUsage read(List<Path> dirs) {
        Instant now = Instant.now();
        Long cpu = null;
        Long usage = null;
        Map<String, Long> memoryStat = null;
        boolean memoryV2 = false;
        long processes = 0;
        boolean anyProcs = false;
        Long swap = null;
        Pressure cpuPressure = null;
        Pressure memoryPressure = null;
        Pressure ioPressure = null;
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            if (cpuPressure == null && Files.exists(dir.resolve("cpu.pressure"))) {
                cpuPressure = pressure(dir.resolve("cpu.pressure"));
                memoryPressure = pressure(dir.resolve("memory.pressure"));
                ioPressure = pressure(dir.resolve("io.pressure"));
            }
            if (cpu == null && Files.exists(dir.resolve("cpuacct.usage"))) {
                cpu = number(dir.resolve("cpuacct.usage"));
            } else if (cpu == null && Files.exists(dir.resolve("cpu.stat")) && Files.exists(dir.resolve("cgroup.controllers"))) {
                Long micros = keyed(dir.resolve("cpu.stat")).get("usage_usec");
                cpu = micros == null ? null : micros * 1000;
            }
            if (usage == null && Files.exists(dir.resolve("memory.usage_in_bytes"))) {
                usage = number(dir.resolve("memory.usage_in_bytes"));
                memoryStat = keyed(dir.resolve("memory.stat"));
                Long memsw = Files.exists(dir.resolve("memory.memsw.usage_in_bytes"))
                        ? number(dir.resolve("memory.memsw.usage_in_bytes")) : null;
                swap = memsw == null || usage == null ? null : Math.max(0, memsw - usage);
            } else if (usage == null && Files.exists(dir.resolve("memory.current"))) {
                usage = number(dir.resolve("memory.current"));
                memoryStat = keyed(dir.resolve("memory.stat"));
                memoryV2 = true;
                swap = Files.exists(dir.resolve("memory.swap.current")) ? number(dir.resolve("memory.swap.current")) : null;
            }
            if (!anyProcs && (Files.exists(dir.resolve("cpuacct.usage")) || Files.exists(dir.resolve("cgroup.controllers")))) {
                anyProcs = true;
                processes = CgroupTree.allPids(List.of(dir)).size();
            }
        }
        Long workingSet = null;
        Long rss = null;
        Long faults = null;
        Long majorFaults = null;
        if (usage != null && memoryStat != null) {
            Long inactiveFile = memoryStat.get(memoryV2 ? "inactive_file" : "total_inactive_file");
            workingSet = inactiveFile == null ? usage : Math.max(0, usage - inactiveFile);
            rss = memoryStat.get(memoryV2 ? "anon" : "total_rss");
            faults = memoryStat.get(memoryV2 ? "pgfault" : "total_pgfault");
            majorFaults = memoryStat.get(memoryV2 ? "pgmajfault" : "total_pgmajfault");
        }
        return new ResourceUsage(now, cpu, usage, workingSet, rss, faults, majorFaults, anyProcs ? processes : null,
                swap, cpuPressure, memoryPressure, ioPressure);
    }

    /**
     * A pressure file: lines {@code some|full avg10=A avg60=B avg300=C total=T}; null if it is gone
     * or the kernel refuses it (PSI off: reading gives EOPNOTSUPP), or has no {@code some} line.
     */
    static Pressure pressure(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return null;
        }
        Pressure.Stall some = null;
        Pressure.Stall full = null;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || !(f[0].equals("some") || f[0].equals("full"))) {
                continue;
            }
            Map<String, String> values = new HashMap<>();
            for (int i = 1; i < f.length; i++) {
                int eq = f[i].indexOf('=');
                if (eq > 0) {
                    values.put(f[i].substring(0, eq), f[i].substring(eq + 1));
                }
            }
            Pressure.Stall stall;
            try {
                stall = new Pressure.Stall(Double.parseDouble(values.getOrDefault("avg10", "")),
                        Double.parseDouble(values.getOrDefault("avg60", "")),
                        Double.parseDouble(values.getOrDefault("avg300", "")),
                        Long.parseLong(values.getOrDefault("total", "")));
            } catch (NumberFormatException e) {
                throw BosunException.internal("cannot read pressure file " + file + ": the line '" + line
                        + "' is not 'some|full avg10=A avg60=B avg300=C total=T'", e);
            }
            if (f[0].equals("some")) {
                some = stall;
            } else {
                full = stall;
            }
        }
        return some == null ? null : new Pressure(some, full);
    }

    /** A file of one number; null if it is gone (the cgroup was removed meanwhile). */
    static Long number(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | NumberFormatException e) {
            throw BosunException.internal("cannot read cgroup file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A file of {@code key value} lines ({@code memory.stat}, {@code cpu.stat}); empty if it is gone. */
    static Map<String, Long> keyed(Path file) {
        Map<String, Long> values = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return values;
        } catch (IOException e) {
            throw BosunException.internal("cannot read cgroup file " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                try {
                    values.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException e) {
                    // not a count (none in these files today): left out
                }
            }
        }
        return values;
    }
}
