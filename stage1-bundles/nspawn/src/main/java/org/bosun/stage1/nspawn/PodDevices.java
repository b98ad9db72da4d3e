package org.bosun.stage1.nspawn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.stage1.rules.AllowedDevices;
import org.bosun.stage1.rules.DeviceProgram;

/**
 * The devices the pod may open ({@link AllowedDevices#DEFAULT}), held for the whole pod on the
 * host side before the run script becomes systemd-nspawn, in two ways of the kernel's:
 *
 * <ul>
 * <li>an eBPF program of type {@code BPF_PROG_TYPE_CGROUP_DEVICE} ({@link DeviceProgram}, loaded by
 * {@code device-program.pl}) attached to the pod's cgroup2 cgroup between its creation and the
 * moment the run script enters it, so nothing of the pod ever runs without it. It is attached
 * with no flag: no program can be attached below it, and the kernel runs it on every open and mknod
 * of a device node by a process of the pod, on a unified host and on a hybrid one alike (there the
 * cgroup2 program runs before the v1 check). Required: a pod that cannot have it does not run.</li>
 * <li>on a hybrid host that mounts the legacy (v1) {@code devices} controller, a cgroup of it below
 * the caller's, denying every device and allowing the list (see {@link #runScriptPart()}):
 * the same rules a second time, defence in depth.</li>
 * </ul>
 *
 * Every process of the pod, systemd-nspawn included, inherits both, and nothing in the pod can
 * leave them: the pod's cgroup namespace, which systemd-nspawn makes once it is in there, is rooted
 * in its cgroup, and systemd-nspawn's seccomp filter refuses bpf(2) in the pod.
 *
 * <p>Why not the ways systemd has. systemd-nspawn installs a device policy only on the scope it
 * registers through the host's systemd, and a pod here runs unregistered ({@code --register=no
 * --keep-unit}: no systemd runs the host). The pod's own systemd could attach a device program to
 * each app's unit ({@code DevicePolicy=}, {@code DeviceAllow=}), but systemd-nspawn's seccomp filter
 * refuses it bpf(2), so it silently applies nothing, and an app can move its own process out of its
 * unit's cgroup through the pod's writable cgroup2 mount.
 *
 * <p>Why perl: the program is loaded by a step of the run script, which must take milliseconds,
 * not a JVM's start; perl is already required by the engine ({@link AppEntry}) and makes the two
 * bpf(2) calls with its {@code syscall}.
 */
final class PodDevices {
    /** The v1 {@code devices} hierarchy, where a hybrid host mounts it. */
    static final Path HIERARCHY = PodCgroup.CGROUP_ROOT.resolve("devices");
    /** The loader of the device program, in the engine directory. */
    static final String LOADER = "device-program.pl";
    /** The device program in hex, in the engine directory. */
    static final String PROGRAM = "device-program";
    /** The number of bpf(2), per architecture. */
    private static final Map<String, Integer> BPF = Map.of("amd64", 321, "aarch64", 280);

    private PodDevices() {
    }

    /** Refuses a host where the device program cannot be loaded by the run script, before anything is written. */
    static void requireHost() {
        if (!Files.isExecutable(Path.of(AppEntry.PERL))) {
            throw BosunException.unavailable("the nspawn engine loads each pod's device program with " + AppEntry.PERL
                    + " (package perl-base); install it");
        }
        bpfSyscall();
    }

    static int bpfSyscall() {
        Integer number = BPF.get(System.getProperty("os.arch"));
        if (number == null) {
            throw BosunException.unavailable("the nspawn engine knows the number of bpf(2) of "
                    + String.join(" and ", BPF.keySet()) + ", not of " + System.getProperty("os.arch")
                    + "; use --stage1-name=oci");
        }
        return number;
    }

    /** The content of {@link Stage1Tree#DEVICES}: one {@code devices.allow} line per rule. */
    static String allowList() {
        StringBuilder sb = new StringBuilder();
        for (AllowedDevices.Rule rule : AllowedDevices.DEFAULT) {
            sb.append(rule.line()).append('\n');
        }
        return sb.toString();
    }

    /** The content of {@link #PROGRAM}: the device program of the same list, in hex, one line. */
    static String program() {
        return DeviceProgram.hex(AllowedDevices.DEFAULT) + "\n";
    }

    /** The content of {@link #LOADER}. */
    static String loader() {
        return AppEntry.resource(LOADER);
    }

    /**
     * The run script's part that attaches the device program to the pod's cgroup2 cgroup
     * ({@code $hierarchy$cgroup}), made and not yet entered.
     */
    static String bpfPart() {
        return AppEntry.PERL + " \"${0%/*}/" + LOADER + "\" " + bpfSyscall() + " \"$hierarchy$cgroup\" < \"${0%/*}/"
                + PROGRAM + "\" || exit 125\n";
    }

    /**
     * The run script's part for a host that mounts the legacy {@code devices} controller: the pod's
     * cgroup in its hierarchy, below the caller's (recorded for gc with the legacy cgroups first),
     * denying every device, then allowing those of {@link Stage1Tree#DEVICES}; the script moves
     * itself in. Without that controller (a unified host) the device program alone holds the list.
     */
    static String runScriptPart() {
        return "devices=\n"
                + "while IFS=: read -r _ controllers path; do\n"
                + "    case \",$controllers,\" in *,devices,*) devices=" + HIERARCHY + "${path%/}/$name ;; esac\n"
                + "done < /proc/self/cgroup\n"
                + "case $devices in\n"
                + "    *:*) echo \"bosun: cannot place the pod in the devices cgroup hierarchy at $devices\" >&2; exit 125 ;;\n"
                + "    ?*)\n"
                + "    echo \"$devices\" >> \"$made\" && /usr/bin/mkdir \"$devices\" && echo a > \"$devices/devices.deny\" || exit 125\n"
                + "    while read -r rule; do\n"
                + "        echo \"$rule\" > \"$devices/devices.allow\" || { echo \"bosun: cannot allow $rule in $devices\" >&2; exit 125; }\n"
                + "    done < \"${0%/*}/" + Stage1Tree.DEVICES + "\"\n"
                + "    echo $$ > \"$devices/cgroup.procs\" || { echo \"bosun: cannot give the pod its devices cgroup $devices\" >&2; exit 125; } ;;\n"
                + "esac\n";
    }
}
