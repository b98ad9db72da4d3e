package org.bosun.security.capabilities;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.host.HostCapabilities;

/** The Linux capabilities by name (capabilities(7); the list is the host library's), and rkt's default bounding set. */
final class Capabilities {
    /** Every capability the kernel knows, in number order (CAP_CHOWN is 0). */
    static final List<String> ALL = HostCapabilities.BY_NUMBER;

    /**
     * rkt's default set (the appc spec's ACE defaults, rkt stage1/init/common/pod.go): enough for
     * ordinary work as root, nothing that reaches the host (no CAP_SYS_ADMIN, CAP_SYS_BOOT,
     * CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_NET_ADMIN, CAP_SYS_RAWIO, ...).
     */
    static final Set<String> RKT_DEFAULT = Set.of("CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_KILL", "CAP_MKNOD", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID",
            "CAP_SETPCAP", "CAP_SETFCAP", "CAP_SYS_CHROOT");

    private Capabilities() {
    }

    /**
     * {@code name} as {@code CAP_...} in upper case ({@code net_raw} and {@code CAP_NET_RAW} are the
     * same), or an invalid-input error saying where it came from.
     */
    static String canonical(String name, String where) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        String cap = upper.startsWith("CAP_") ? upper : "CAP_" + upper;
        if (!ALL.contains(cap)) {
            throw BosunException.invalid(where + " names '" + name.trim() + "', which is not a Linux capability;"
                    + " use names such as CAP_NET_BIND_SERVICE (see capabilities(7))");
        }
        return cap;
    }
}
