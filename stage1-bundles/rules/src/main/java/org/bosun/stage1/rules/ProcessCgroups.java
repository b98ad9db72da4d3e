package org.bosun.stage1.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;

/**
 * The cgroups of a running process in every hierarchy of the host, for a command that enters an
 * app ({@code bosun enter}) to join them: the entered process is then limited, accounted and
 * killed with the app, as a runtime's {@code exec} joins its container's. It joins them as the
 * host's root, before it enters the app's cgroup namespace (from inside, a cgroup outside that
 * namespace cannot be joined).
 */
public final class ProcessCgroups {
    static final String SH = "/usr/bin/sh";
    /** $1.. the cgroup.procs files, then "--" and the command to exec. */
    static final String JOIN_AND_EXEC = "while [ \"$1\" != -- ]; do\n"
            + "    { echo $$ > \"$1\"; } 2>/dev/null || { echo \"bosun enter: cannot join the app's cgroup ${1%/cgroup.procs}\" >&2; exit 125; }\n"
            + "    shift\n"
            + "done\n"
            + "shift\n"
            + "exec \"$@\"\n";

    private ProcessCgroups() {
    }

    /** The command's first step: joins every cgroup of process {@code pid}, then execs the rest of the command. */
    public static List<String> joinStep(long pid) {
        List<String> step = new ArrayList<>(List.of(SH, "-c", JOIN_AND_EXEC, "bosun-enter"));
        for (Path file : procsFiles(pid)) {
            step.add(file.toString());
        }
        step.add("--");
        return step;
    }

    /** The {@code cgroup.procs} file of each cgroup of {@code pid}, in each hierarchy this host mounts. */
    static List<Path> procsFiles(long pid) {
        List<String> cgroups;
        List<String> mounts;
        try {
            cgroups = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
            mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw BosunException.precondition("cannot read the cgroups of process " + pid + " (" + e.getMessage()
                    + "); it has exited");
        }
        return procsFiles(cgroups, mounts);
    }

    /** {@code cgroups} as /proc/PID/cgroup shows them, {@code mounts} as /proc/self/mountinfo. */
    static List<Path> procsFiles(List<String> cgroups, List<String> mounts) {
        List<Path> files = new ArrayList<>();
        for (String line : cgroups) {
            String[] f = line.split(":", 3);
            if (f.length != 3) {
                continue;
            }
            Path file = procsFile(f[0].equals("0") && f[1].isEmpty() ? null : Set.of(f[1].split(",")), f[2], mounts);
            if (file != null) {
                files.add(file);
            }
        }
        return files;
    }

    /** In the hierarchy of {@code controllers} (null: the cgroup2 one); null when it is not mounted here. */
    private static Path procsFile(Set<String> controllers, String cgroup, List<String> mounts) {
        for (String mount : mounts) {
            int dash = mount.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = mount.substring(0, dash).split(" ");
            String[] after = mount.substring(dash + 3).split(" ");
            if (before.length < 5 || after.length < 3) {
                continue;
            }
            boolean match = controllers == null ? after[0].equals("cgroup2")
                    : after[0].equals("cgroup") && Arrays.asList(after[2].split(",")).containsAll(controllers);
            String root = before[3];
            if (!match || !(cgroup + "/").startsWith(root.equals("/") ? "/" : root + "/")) {
                continue;
            }
            String below = root.equals("/") ? cgroup : cgroup.substring(root.length());
            Path dir = Path.of(unescape(before[4]), below.isEmpty() ? "." : below.substring(below.startsWith("/") ? 1 : 0));
            return dir.resolve("cgroup.procs").normalize();
        }
        return null;
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
