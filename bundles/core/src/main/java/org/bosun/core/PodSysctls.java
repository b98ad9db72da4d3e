package org.bosun.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.pod.PodOptions;

/**
 * The pod's sysctls ({@code --sysctl}, the CRI's {@code linux.sysctls}), checked before anything of
 * the pod is made. Only the kernel settings of a namespace the pod has of its own are accepted, as the
 * kernel scopes them and Kubernetes lists them: those of the network namespace ({@code net.*}) and of
 * the IPC namespace ({@code kernel.shmall}, {@code kernel.shmmax}, {@code kernel.shmmni},
 * {@code kernel.shm_rmid_forced}, {@code kernel.msgmax}, {@code kernel.msgmnb}, {@code kernel.msgmni},
 * {@code kernel.sem}, {@code fs.mqueue.*}). A setting of the host's (any other key), or of a namespace
 * the pod shares with the host ({@code --net=host}, {@code --ipc=parent}), is refused: it would change
 * the host. The engine sets them in the pod's namespaces before any app starts.
 */
final class PodSysctls {
    private static final List<String> IPC_KEYS = List.of("kernel.shmall", "kernel.shmmax", "kernel.shmmni",
            "kernel.shm_rmid_forced", "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem");
    /** Dotted names of lower-case words (an interface name may hold '-' and '_'); no '/', no "..". */
    private static final Pattern KEY = Pattern.compile("[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*");
    /** A value is one line of printable characters (numbers, "1024 65000", "0 2147483647"). */
    private static final Pattern VALUE = Pattern.compile("[\\x21-\\x7e]+([ \\t][\\x21-\\x7e]+)*");
    /** The per-interface trees, whose entries exist only in the pod's network for its own interfaces. */
    private static final List<String> PER_INTERFACE = List.of("net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.",
            "net.ipv6.neigh.");

    static final Path PROC_SYS = Path.of("/proc/sys");

    private PodSysctls() {
    }

    /** Whether {@code key} is a setting of the network namespace. */
    static boolean network(String key) {
        return key.startsWith("net.");
    }

    /** Whether {@code key} is a setting of the IPC namespace. */
    static boolean ipc(String key) {
        return IPC_KEYS.contains(key) || key.startsWith("fs.mqueue.");
    }

    /**
     * Refuses, in one line naming the key, a sysctl that is not a namespaced one, one of a namespace the
     * pod shares with the host, or one that the host's kernel does not have; and every sysctl on an
     * engine that gives pods no namespaces of their own.
     *
     * @param options the pod's options, {@code ipc} resolved
     * @param hostNetwork whether the pod is in the host's network
     * @param procSys the host's {@code /proc/sys}, where a key other than a per-interface one must exist
     */
    static void check(String engineName, boolean isolated, boolean hostNetwork, PodOptions options, Path procSys) {
        Map<String, String> sysctls = options.sysctls();
        if (sysctls.isEmpty()) {
            return;
        }
        if (!isolated) {
            throw BosunException.notImplemented("--sysctl: stage1 engine '" + engineName + "' runs apps in the host's"
                    + " namespaces, where a pod has no kernel settings of its own; leave out --sysctl, or choose an"
                    + " isolating engine (nspawn, oci) with --stage1-name");
        }
        for (Map.Entry<String, String> e : sysctls.entrySet()) {
            String key = e.getKey();
            String where = "--sysctl " + key + "=" + e.getValue();
            if (!KEY.matcher(key).matches()) {
                throw BosunException.invalid(where + ": '" + key + "' is not a sysctl name (dotted lower-case words,"
                        + " e.g. net.ipv4.ip_forward)");
            }
            if (!VALUE.matcher(e.getValue()).matches()) {
                throw BosunException.invalid(where + ": the value is empty or not one line of printable characters");
            }
            if (network(key)) {
                if (hostNetwork) {
                    throw BosunException.invalid(where + ": the pod is in the host's network (--net=host), where "
                            + key + " would change the host's; leave it out, or give the pod a network of its own");
                }
            } else if (ipc(key)) {
                if (PodOptions.IPC_PARENT.equals(options.ipc())) {
                    throw BosunException.invalid(where + ": the pod is in the host's IPC namespace (--ipc=parent), where "
                            + key + " would change the host's; leave it out, or give the pod --ipc=private");
                }
            } else {
                throw BosunException.invalid(where + ": " + key + " is not a setting of a namespace the pod has of its"
                        + " own (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*) but the host's; leave it out");
            }
            boolean perInterface = PER_INTERFACE.stream().anyMatch(key::startsWith);
            if (!perInterface && !Files.exists(procSys.resolve(key.replace('.', '/')))) {
                throw BosunException.invalid(where + ": this kernel has no sysctl " + key + " (no "
                        + procSys.resolve(key.replace('.', '/')) + ")");
            }
        }
    }
}
