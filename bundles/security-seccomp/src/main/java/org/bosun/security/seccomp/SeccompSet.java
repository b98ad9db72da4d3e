package org.bosun.security.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.bosun.api.BosunException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One app's seccomp set as rkt took it: {@code retain} (a whitelist: only these calls work) or
 * {@code remove} (a blacklist), the errno a refused call returns, and the calls and groups. It
 * comes from {@code --seccomp mode=retain|remove[,errno=ENAME],SYSCALL|@GROUP,...} or from the
 * image's {@code os/linux/seccomp-retain-set} / {@code -remove-set} isolator. As rkt's seccomp guide
 * says of both isolators, a refused call kills the offending process with SIGSYS unless {@code errno}
 * names an errno for it to return instead ({@code errno=SIGSYS} says the default). bosun's own
 * default whitelist, for an app that asks for no set, returns EPERM.
 *
 * @param retain whether the set is a whitelist
 * @param errno the errno name, or {@code SIGSYS} or null to kill
 * @param items system call names and {@code @group/name}s
 * @param where the flag or isolator it came from, for error messages
 */
record SeccompSet(boolean retain, String errno, List<String> items, String where) {
    static final String KILL = "SIGSYS";
    /** The architectures a profile covers on an x86_64 host: its own and the 32-bit ABIs it can run. */
    static final List<String> ARCHITECTURES = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    private static final ObjectMapper JSON = new ObjectMapper();

    SeccompSet {
        items = List.copyOf(items);
        if (errno != null && !errno.equals(KILL) && !SyscallTable.ERRNO.containsKey(errno)) {
            throw BosunException.invalid(where + ": errno=" + errno + " is not an errno name; use one such as EPERM,"
                    + " ENOSYS or EACCES, or SIGSYS to kill the app");
        }
    }

    /** bosun's default: rkt's whitelist with today's additions; refused calls get EPERM. */
    static SeccompSet defaultWhitelist() {
        return new SeccompSet(true, "EPERM", List.of(SyscallGroups.BOSUN_DEFAULT_WHITELIST), "the default seccomp set");
    }

    /**
     * The calls Docker's default profile allows only an app that holds CAP_SYS_ADMIN (its rule with
     * {@code "includes": {"caps": ["CAP_SYS_ADMIN"]}}); the kernel still checks the capability.
     */
    static final List<String> SYS_ADMIN_CALLS = List.of("bpf", "clone", "fanotify_init", "lookup_dcookie", "mount",
            "name_to_handle_at", "perf_event_open", "quotactl", "setdomainname", "sethostname", "setns", "syslog",
            "umount2", "unshare"); // Docker's list also has umount, which x86_64 does not have

    /**
     * The default whitelist for an app with {@code capabilities}: with CAP_SYS_ADMIN (a CRI container
     * that adds it) also {@link #SYS_ADMIN_CALLS}, as Docker's and containerd's default profile does.
     */
    static SeccompSet defaultWhitelist(java.util.Set<String> capabilities) {
        if (!capabilities.contains("CAP_SYS_ADMIN")) {
            return defaultWhitelist();
        }
        List<String> items = new ArrayList<>(List.of(SyscallGroups.BOSUN_DEFAULT_WHITELIST));
        items.addAll(SYS_ADMIN_CALLS);
        return new SeccompSet(true, "EPERM", items, "the default seccomp set with CAP_SYS_ADMIN");
    }

    /** Parses the value of {@code --seccomp} (everything after {@code profile=} is handled elsewhere). */
    static SeccompSet parseFlag(String value, String where) {
        Boolean retain = null;
        String errno = null;
        List<String> items = new ArrayList<>();
        for (String raw : value.split(",")) {
            String word = raw.strip();
            if (word.isEmpty()) {
                continue;
            }
            if (word.startsWith("mode=")) {
                String mode = word.substring(5);
                if (!mode.equals("retain") && !mode.equals("remove")) {
                    throw BosunException.invalid(where + ": mode=" + mode + " is neither retain nor remove");
                }
                retain = mode.equals("retain");
            } else if (word.startsWith("errno=")) {
                errno = word.substring(6).toUpperCase(Locale.ROOT);
            } else if (word.contains("=")) {
                throw BosunException.invalid(where + ": '" + word + "' is not mode=, errno=, profile=, a system call"
                        + " or a @group");
            } else {
                items.add(word);
            }
        }
        if (retain == null) {
            throw BosunException.invalid(where + " has no mode; write mode=retain or mode=remove first, as in"
                    + " --seccomp mode=remove,errno=ENOSYS,reboot");
        }
        if (items.isEmpty()) {
            throw BosunException.invalid(where + " names no system call; list calls or groups such as"
                    + " @docker/default-blacklist after the mode");
        }
        return new SeccompSet(retain, errno, items, where);
    }

    /**
     * The OCI runtime-spec {@code linux.seccomp} object, as JSON text; null when the set lets
     * everything through ({@code retain @appc.io/all}).
     */
    String toOciProfile(SyscallTable table) {
        boolean whitelist = retain;
        List<String> names = items;
        if (items.contains(SyscallGroups.APPC_ALL)) {
            if (!retain || items.size() > 1) {
                throw BosunException.invalid(where + ": " + SyscallGroups.APPC_ALL
                        + " stands alone and only with mode=retain (it switches seccomp off)");
            }
            return null;
        }
        if (items.contains(SyscallGroups.APPC_EMPTY)) {
            if (retain || items.size() > 1) {
                throw BosunException.invalid(where + ": " + SyscallGroups.APPC_EMPTY
                        + " stands alone and only with mode=remove (it means the default whitelist)");
            }
            whitelist = true;
            names = List.of(SyscallGroups.BOSUN_DEFAULT_WHITELIST);
        }
        TreeSet<String> syscalls = new TreeSet<>();
        for (String item : names) {
            if (item.startsWith("@")) {
                List<String> group = SyscallGroups.get(item);
                if (group == null) {
                    throw BosunException.invalid(where + ": there is no syscall group " + item + "; known groups are "
                            + String.join(", ", SyscallGroups.names()));
                }
                // A group lists the calls of every architecture; this host's are the ones that count.
                group.stream().filter(table::knows).forEach(syscalls::add);
            } else {
                if (!table.knows(item)) {
                    throw BosunException.invalid(where + ": '" + item + "' is not a system call on x86_64;"
                            + " check the name (scmp_sys_resolver " + item + ")");
                }
                syscalls.add(item);
            }
        }
        ObjectNode profile = JSON.createObjectNode();
        ObjectNode rule = JSON.createObjectNode();
        ArrayNode ruleNames = rule.putArray("names");
        syscalls.forEach(ruleNames::add);
        if (whitelist) {
            refusal(profile, "defaultAction", "defaultErrnoRet");
            rule.put("action", "SCMP_ACT_ALLOW");
        } else {
            profile.put("defaultAction", "SCMP_ACT_ALLOW");
            refusal(rule, "action", "errnoRet");
        }
        ArrayNode arches = profile.putArray("architectures");
        ARCHITECTURES.forEach(arches::add);
        profile.putArray("syscalls").add(rule);
        return profile.toString();
    }

    private void refusal(ObjectNode node, String actionField, String errnoField) {
        if (errno == null || KILL.equals(errno)) {
            // the whole process, as systemd's SystemCallFilter= kills it: a thread alone would leave the rest hanging
            node.put(actionField, "SCMP_ACT_KILL_PROCESS");
        } else {
            node.put(actionField, "SCMP_ACT_ERRNO");
            node.put(errnoField, SyscallTable.ERRNO.get(errno));
        }
    }
}
