package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.stage1.rules.AllowedDevices;

/**
 * The devices the pod may open ({@link AllowedDevices#DEFAULT}), held for the whole pod by a
 * cgroup of the legacy (v1) {@code devices} controller that the run script makes below the
 * caller's and enters before it becomes systemd-nspawn (see {@link #runScriptPart()}): every process
 * of the pod, systemd-nspawn included, inherits it, and nothing in the pod can leave it: the pod's
 * cgroup namespace, which systemd-nspawn makes once it is in there, is rooted in it.
 *
 * <p>Why this and not the other ways systemd has. systemd-nspawn installs a device policy only on
 * the scope it registers through the host's systemd, and a pod here runs unregistered
 * ({@code --register=no --keep-unit}: no systemd runs the host). The pod's own systemd could
 * attach a BPF device program to each app's unit ({@code DevicePolicy=}, {@code DeviceAllow=}),
 * but systemd-nspawn's seccomp filter refuses it bpf(2), so it silently applies nothing, and an
 * app can move its own process out of its unit's cgroup through the pod's writable cgroup2 mount.
 * A BPF program on the pod's cgroup2 cgroup from the host side would need a process of bosun's
 * between the cgroup's creation and systemd-nspawn's start, where there is only this script. So a
 * host without the v1 {@code devices} hierarchy (cgroup v2 only) is refused at prepare rather
 * than given a pod that can open the host's devices; the oci engine runs pods there.
 */
final class PodDevices {
    /** The v1 {@code devices} hierarchy, where a hybrid host mounts it. */
    static final Path HIERARCHY = PodCgroup.CGROUP_ROOT.resolve("devices");

    private PodDevices() {
    }

    /** Refuses a host without the v1 {@code devices} hierarchy, before anything is written. */
    static void requireHost() {
        if (!Files.exists(HIERARCHY.resolve("devices.allow"))) {
            throw BosunException.unavailable("the nspawn engine restricts the devices a pod may open through the "
                    + "cgroup v1 devices controller, which this host does not mount at " + HIERARCHY
                    + "; use --stage1-name=oci");
        }
    }

    /** The content of {@link Stage1Tree#DEVICES}: one {@code devices.allow} line per rule. */
    static String allowList() {
        StringBuilder sb = new StringBuilder();
        for (AllowedDevices.Rule rule : AllowedDevices.DEFAULT) {
            sb.append(rule.line()).append('\n');
        }
        return sb.toString();
    }

    static void write(Path engineDir) throws IOException {
        Files.writeString(engineDir.resolve(Stage1Tree.DEVICES), allowList());
    }

    /**
     * The run script's part: the pod's cgroup in the {@code devices} hierarchy, below the caller's
     * (recorded for gc with the legacy cgroups first), denying every device, then allowing those of
     * {@link Stage1Tree#DEVICES}; the script moves itself in.
     */
    static String runScriptPart() {
        return "devices=\n"
                + "while IFS=: read -r _ controllers path; do\n"
                + "    case \",$controllers,\" in *,devices,*) devices=" + HIERARCHY + "${path%/}/$name ;; esac\n"
                + "done < /proc/self/cgroup\n"
                + "case $devices in\n"
                + "    ''|*:*) echo \"bosun: no devices cgroup hierarchy to restrict the pod's devices in\" >&2; exit 125 ;;\n"
                + "esac\n"
                + "echo \"$devices\" >> \"$made\" && /usr/bin/mkdir \"$devices\" && echo a > \"$devices/devices.deny\" || exit 125\n"
                + "while read -r rule; do\n"
                + "    echo \"$rule\" > \"$devices/devices.allow\" || { echo \"bosun: cannot allow $rule in $devices\" >&2; exit 125; }\n"
                + "done < \"${0%/*}/" + Stage1Tree.DEVICES + "\"\n"
                + "echo $$ > \"$devices/cgroup.procs\" || { echo \"bosun: cannot give the pod its devices cgroup $devices\" >&2; exit 125; }\n";
    }
}
