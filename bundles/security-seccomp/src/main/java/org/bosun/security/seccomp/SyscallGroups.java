package org.bosun.security.seccomp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The syscall groups a seccomp set may name, as rkt defined them ({@code @rkt/...}, {@code @docker/...}),
 * plus {@code @bosun/default-whitelist}, bosun's default: rkt's whitelist and the calls today's C
 * libraries make that postdate it. {@code @appc.io/all} and {@code @appc.io/empty} are not lists
 * but switches (see {@link SeccompSet}).
 */
final class SyscallGroups {
    static final String APPC_ALL = "@appc.io/all";
    static final String APPC_EMPTY = "@appc.io/empty";
    static final String BOSUN_DEFAULT_WHITELIST = "@bosun/default-whitelist";

    private static final List<String> WHITELIST = SyscallTable.names("docker-default-whitelist.txt");
    private static final List<String> BLACKLIST = SyscallTable.names("docker-default-blacklist.txt");
    private static final Map<String, List<String>> GROUPS = Map.of(
            "@rkt/default-whitelist", WHITELIST,
            "@docker/default-whitelist", WHITELIST,
            "@rkt/default-blacklist", BLACKLIST,
            "@docker/default-blacklist", BLACKLIST,
            BOSUN_DEFAULT_WHITELIST, concat(WHITELIST, SyscallTable.names("bosun-additions.txt")));

    private SyscallGroups() {
    }

    /** The group's syscalls (names of every architecture), or null if there is no such group. */
    static List<String> get(String name) {
        return GROUPS.get(name);
    }

    static Set<String> names() {
        Set<String> names = new LinkedHashSet<>(List.of(APPC_ALL, APPC_EMPTY));
        GROUPS.keySet().stream().sorted().forEach(names::add);
        return names;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
