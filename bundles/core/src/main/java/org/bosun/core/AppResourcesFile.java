package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.app.ResourceUpdate;

/**
 * The file of an app's updated limits: {@code key=value} lines, one per field set
 * ({@code cpu-shares}, {@code cpu-quota}, {@code cpu-period}, {@code cpuset-cpus},
 * {@code cpuset-mems}, {@code memory-limit}).
 */
final class AppResourcesFile {
    private AppResourcesFile() {
    }

    static ResourceUpdate read(Path file) {
        Map<String, String> v = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    v.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (NoSuchFileException e) {
            return ResourceUpdate.NONE;
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return new ResourceUpdate(number(v.get("cpu-shares")), number(v.get("cpu-quota")),
                    number(v.get("cpu-period")), v.get("cpuset-cpus"), v.get("cpuset-mems"),
                    number(v.get("memory-limit")));
        } catch (NumberFormatException e) {
            throw BosunException.internal(file + " is damaged (" + e.getMessage() + "); remove it to forget the"
                    + " recorded limits", e);
        }
    }

    static String text(ResourceUpdate r) {
        StringBuilder out = new StringBuilder();
        line(out, "cpu-shares", r.cpuShares());
        line(out, "cpu-quota", r.cpuQuotaMicros());
        line(out, "cpu-period", r.cpuPeriodMicros());
        line(out, "cpuset-cpus", r.cpusetCpus());
        line(out, "cpuset-mems", r.cpusetMems());
        line(out, "memory-limit", r.memoryLimitBytes());
        return out.toString();
    }

    private static void line(StringBuilder out, String key, Object value) {
        if (value != null) {
            out.append(key).append('=').append(value).append('\n');
        }
    }

    private static Long number(String s) {
        return s == null ? null : Long.valueOf(s);
    }
}
