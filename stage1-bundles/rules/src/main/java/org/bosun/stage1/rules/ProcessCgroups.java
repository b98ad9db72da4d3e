package org.bosun.stage1.rules;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.host.cgroup.ProcessCgroupFiles;
import org.bosun.host.files.MountInfo;

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
        List<ProcessCgroupFiles.Cgroup> cgroups;
        try {
            cgroups = ProcessCgroupFiles.of(pid);
        } catch (IOException e) {
            throw BosunException.precondition("cannot read the cgroups of process " + pid + " (" + e.getMessage()
                    + "); it has exited");
        }
        return cgroups.stream().map(ProcessCgroupFiles.Cgroup::procs).toList();
    }

    /** {@code cgroups} as /proc/PID/cgroup shows them, {@code mounts} as /proc/self/mountinfo. */
    static List<Path> procsFiles(List<String> cgroups, List<String> mounts) {
        List<Path> files = new ArrayList<>();
        for (ProcessCgroupFiles.Cgroup cgroup : ProcessCgroupFiles.parse(cgroups, MountInfo.parse(mounts))) {
            files.add(cgroup.procs());
        }
        return files;
    }
}
