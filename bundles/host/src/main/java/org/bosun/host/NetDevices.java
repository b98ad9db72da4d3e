package org.bosun.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.app.InterfaceUsage;

/**
 * The traffic of the interfaces of a process's network namespace, from {@code /proc/PID/net/dev}
 * (which shows the namespace of that process, whoever reads it). The loopback is left out.
 */
public final class NetDevices {
    private NetDevices() {
    }

    public static List<InterfaceUsage> of(long pid) {
        try {
            return parse(Files.readAllLines(Path.of("/proc/" + pid + "/net/dev")));
        } catch (IOException e) {
            throw BosunException.precondition("cannot read the interfaces of process " + pid + " (has it exited?): "
                    + e.getMessage());
        }
    }

    /** The lines of {@code /proc/net/dev}: two header lines, then {@code name: rx(8 fields) tx(8 fields)}. */
    public static List<InterfaceUsage> parse(List<String> lines) {
        List<InterfaceUsage> out = new ArrayList<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (name.equals("lo") || f.length < 16) {
                continue;
            }
            try {
                out.add(new InterfaceUsage(name, Long.parseLong(f[0]), Long.parseLong(f[2]), Long.parseLong(f[8]),
                        Long.parseLong(f[10])));
            } catch (NumberFormatException e) {
                // a header line
            }
        }
        return out;
    }
}
