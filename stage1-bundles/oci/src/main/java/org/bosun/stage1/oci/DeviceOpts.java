package org.bosun.stage1.oci;

import java.util.ArrayList;
import java.util.List;

import org.bosun.stage1.rules.AllowedDevices;

/**
 * The devices an app may use: {@link AllowedDevices#DEFAULT}, and nothing that the runtime adds.
 *
 * <p>The spec's {@code linux.resources.devices} says it (every device denied, then bosun's list),
 * but that is not enough. runc 1.1 appends its own default rules after the spec's, and its list
 * lets every container open {@code /dev/net/tun} (c 10:200); its source says users "cannot
 * disable this behaviour", and a rule of the spec's that denies tun is undone by the one appended
 * after it (tested with runc 1.1.5: an app opened a tun node it made with either spec). So each
 * container also gets a {@code createRuntime} hook, which both runtimes run on the host side once
 * they have set up the container's cgroups and before the container's process runs anything of
 * the app's: in the v1 {@code devices} hierarchy it denies everything in the container's cgroup and
 * allows bosun's rules again, leaving exactly them, whatever the runtime wrote. {@code exec}
 * (bosun enter) joins that cgroup without rewriting it.
 *
 * <p>Where no v1 {@code devices} hierarchy is mounted (a host with cgroup v2 alone), the hook has
 * nothing to write and the runtime's BPF device program is built from the spec's list and the
 * runtime's own defaults: there runc 1.1 still lets tun be opened (runc 1.2 removed it from its
 * defaults); crun adds no tun.
 */
final class DeviceOpts {
    /**
     * The hook's text, run by {@code sh -c TEXT sh CGROUP RULE...}: it reads the state the runtime
     * writes to it to the end first (crun fails a hook that exits before: EPIPE), finds the
     * hierarchy from the supervisor's mount table (its cgroup namespace is rooted at the pod's
     * cgroup, so the container's cgroup is its cgroupsPath below the mount point), and fails the
     * container when it cannot restrict it.
     */
    static final String HOOK = "while read -r _; do :; done\n"
            + "devices=''\n"
            + "while read -r _ _ _ _ mp _ rest; do\n"
            + "    rest=\" $rest\"\n"
            + "    rest=${rest#* - }\n"
            + "    case $rest in\n"
            + "    'cgroup '*) case \",${rest##* },\" in *,devices,*) devices=$mp ;; esac ;;\n"
            + "    esac\n"
            + "done < /proc/self/mountinfo\n"
            + "[ -n \"$devices\" ] || exit 0\n"
            + "cgroup=$devices/$1\n"
            + "shift\n"
            + "if ! echo a > \"$cgroup/devices.deny\"; then\n"
            + "    echo \"bosun: cannot deny every device in $cgroup\" >&2\n"
            + "    exit 1\n"
            + "fi\n"
            + "for rule; do\n"
            + "    if ! echo \"$rule\" > \"$cgroup/devices.allow\"; then\n"
            + "        echo \"bosun: cannot allow $rule in $cgroup\" >&2\n"
            + "        exit 1\n"
            + "    fi\n"
            + "done\n";

    private DeviceOpts() {
    }

    /**
     * {@code linux.resources.devices}: every device denied, then each rule of {@link AllowedDevices#DEFAULT}
     * ({@link AllowedDevices#HOST} for a privileged app).
     */
    static List<OciSpec.DeviceRule> rules(boolean hostDevices) {
        List<OciSpec.DeviceRule> rules = new ArrayList<>();
        rules.add(new OciSpec.DeviceRule(false, null, null, null, "rwm"));
        for (AllowedDevices.Rule rule : AllowedDevices.of(hostDevices)) {
            rules.add(new OciSpec.DeviceRule(true, String.valueOf(rule.type()), number(rule.major()),
                    number(rule.minor()), rule.access()));
        }
        return List.copyOf(rules);
    }

    private static Long number(int n) {
        return n == AllowedDevices.ANY ? null : (long) n;
    }

    /**
     * The hook that leaves the container {@code id}'s devices cgroup with bosun's rules alone ({@link
     * AllowedDevices#HOST} for a privileged app).
     */
    static SpecOpt enforced(String id, boolean hostDevices) {
        List<String> args = new ArrayList<>(List.of("sh", "-c", HOOK, "sh", id));
        for (AllowedDevices.Rule rule : AllowedDevices.of(hostDevices)) {
            args.add(rule.line());
        }
        OciSpec.Hook hook = new OciSpec.Hook(SupervisorScript.SH, List.copyOf(args));
        return spec -> spec.hooks(h -> h.withCreateRuntime(hook));
    }
}
