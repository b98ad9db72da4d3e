package org.bosun.seccomp.bpf;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Compiles an OCI runtime-spec {@code linux.seccomp} section into the classic BPF program that
 * crun 1.8 would build from it with libseccomp 2.5 on an x86_64 host: same action for every
 * architecture, system call number and (for i386's socketcall and ipc) call number. Give the
 * result to crun, base64-encoded, in the annotation {@code run.oci.seccomp_bpf_data}; crun then
 * loads it as is and skips libseccomp, which saves it milliseconds per container.
 *
 * <p>What it compiles, as crun does: {@code defaultAction} and {@code defaultErrnoRet}; the
 * architectures {@code SCMP_ARCH_X86_64} (always present, as libseccomp adds the native one),
 * {@code SCMP_ARCH_X86} and {@code SCMP_ARCH_X32}; rules without {@code args} whose action is
 * ALLOW, ERRNO ({@code errnoRet}, EPERM when absent), KILL, KILL_THREAD, KILL_PROCESS, TRAP, LOG
 * or TRACE. A name an architecture does not have is skipped on that architecture; on i386 a rule
 * on a socket or System V IPC call also covers socketcall(2) or ipc(2) with that call number, as
 * libseccomp does. Calls of an architecture the filter does not list are killed (libseccomp's
 * default bad-architecture action), and so are x32 calls when x32 is not listed.
 *
 * <p>Everything else yields no program, so that the caller leaves the section to crun and
 * libseccomp: {@code args} conditions, SCMP_ACT_NOTIFY or a {@code listenerPath}, other
 * architectures, flags crun does not know, one call given two different actions, an errno on an
 * action that takes none, or anything malformed. Thread-safe; it keeps no state.
 */
public final class SeccompBpf {
    /** The most instructions the kernel accepts in one filter (BPF_MAXINSNS). */
    static final int MAX_INSTRUCTIONS = 4096;
    private static final int EPERM = 1;
    private static final Set<String> CRUN_FLAGS = Set.of("SECCOMP_FILTER_FLAG_TSYNC",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SeccompBpf() {
    }

    /**
     * Compiles the JSON text of a {@code linux.seccomp} section.
     *
     * @param ociSeccompJson the section as JSON text
     * @return the program (struct sock_filter array: 8 bytes per instruction, little endian), or
     *     empty if this compiler does not reproduce libseccomp for that section exactly
     * @throws IllegalArgumentException if the text is not JSON
     */
    public static Optional<byte[]> compile(String ociSeccompJson) {
        try {
            return compile(JSON.readTree(ociSeccompJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the seccomp section is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Compiles a {@code linux.seccomp} section.
     *
     * @param ociSeccomp the section, as in config.json
     * @return the program (struct sock_filter array: 8 bytes per instruction, little endian), or
     *     empty if this compiler does not reproduce libseccomp for that section exactly
     */
    public static Optional<byte[]> compile(JsonNode ociSeccomp) {
        if (ociSeccomp == null || !ociSeccomp.isObject()) {
            return Optional.empty();
        }
        OptionalInt defaultAction = action(ociSeccomp.get("defaultAction"), ociSeccomp.get("defaultErrnoRet"));
        Optional<Set<Architecture>> architectures = architectures(ociSeccomp.get("architectures"));
        if (defaultAction.isEmpty() || architectures.isEmpty() || !flagsKnown(ociSeccomp.get("flags"))
                || present(ociSeccomp.get("listenerPath"))) {
            return Optional.empty();
        }
        List<ArchitectureFilter> filters = new ArrayList<>();
        for (Architecture architecture : architectures.get()) {
            filters.add(new ArchitectureFilter(architecture, defaultAction.getAsInt()));
        }
        JsonNode rules = ociSeccomp.get("syscalls");
        if (present(rules)) {
            if (!rules.isArray()) {
                return Optional.empty();
            }
            for (JsonNode rule : rules) {
                if (!addRule(rule, defaultAction.getAsInt(), filters)) {
                    return Optional.empty();
                }
            }
        }
        Optional<byte[]> program = BpfProgram.of(filters, Action.KILL_THREAD);
        return program.isPresent() && program.get().length / 8 > MAX_INSTRUCTIONS ? Optional.empty() : program;
    }

    /** Adds one entry of {@code syscalls} to every architecture; false if it cannot be compiled exactly. */
    private static boolean addRule(JsonNode rule, int defaultAction, List<ArchitectureFilter> filters) {
        JsonNode args = rule.get("args");
        JsonNode names = rule.get("names");
        if (!rule.isObject() || (present(args) && !(args.isArray() && args.isEmpty()))
                || (present(names) && !names.isArray())) {
            return false;
        }
        OptionalInt action = action(rule.get("action"), rule.get("errnoRet"));
        if (action.isEmpty()) {
            return false;
        }
        if (action.getAsInt() == defaultAction || !present(names)) {
            return true; // crun skips a rule that does what the default does
        }
        for (JsonNode name : names) {
            if (!name.isTextual()) {
                return false;
            }
            for (ArchitectureFilter filter : filters) {
                if (!filter.add(name.asText(), action.getAsInt())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The SCMP_ACT_* value crun computes for an action name and its errno, or empty if crun would not. */
    private static OptionalInt action(JsonNode name, JsonNode errnoRet) {
        if (name == null || !name.isTextual()) {
            return OptionalInt.empty();
        }
        String action = name.asText();
        boolean takesErrno = action.equals("SCMP_ACT_ERRNO") || action.equals("SCMP_ACT_TRACE");
        int errno = EPERM;
        if (present(errnoRet)) {
            if (!takesErrno || !errnoRet.canConvertToInt() || !errnoRet.isIntegralNumber()
                    || errnoRet.intValue() < 0 || errnoRet.intValue() > 0xffff) {
                return OptionalInt.empty();
            }
            errno = errnoRet.intValue();
        }
        return Action.of(action, errno);
    }

    private static Optional<Set<Architecture>> architectures(JsonNode names) {
        // libseccomp always filters for the native architecture; crun adds the listed ones.
        Set<Architecture> architectures = EnumSet.of(Architecture.X86_64);
        if (!present(names)) {
            return Optional.of(architectures);
        }
        if (!names.isArray()) {
            return Optional.empty();
        }
        for (JsonNode name : names) {
            Optional<Architecture> architecture = name.isTextual() ? Architecture.named(name.asText())
                    : Optional.empty();
            if (architecture.isEmpty()) {
                return Optional.empty();
            }
            architectures.add(architecture.get());
        }
        return Optional.of(architectures);
    }

    /** crun hands the flags to seccomp(2) itself, so they do not change the program, but it refuses unknown ones. */
    private static boolean flagsKnown(JsonNode flags) {
        if (!present(flags)) {
            return true;
        }
        if (!flags.isArray()) {
            return false;
        }
        for (JsonNode flag : flags) {
            if (!flag.isTextual() || !CRUN_FLAGS.contains(flag.asText())) {
                return false;
            }
        }
        return true;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !(node.isTextual() && node.asText().isEmpty());
    }

    /** The architectures this compiler knows, with their AUDIT_ARCH_* value in seccomp_data.arch. */
    enum Architecture {
        X86_64(0xC000_003E), X86(0x4000_0003), X32(0xC000_003E);

        final int auditArch;

        Architecture(int auditArch) {
            this.auditArch = auditArch;
        }

        /** Resolves a name as crun does: an optional SCMP_ARCH_ prefix, any case. */
        static Optional<Architecture> named(String name) {
            String bare = name.startsWith("SCMP_ARCH_") ? name.substring("SCMP_ARCH_".length()) : name;
            switch (bare.toLowerCase(Locale.ROOT)) {
                case "x86_64":
                    return Optional.of(X86_64);
                case "x86":
                    return Optional.of(X86);
                case "x32":
                    return Optional.of(X32);
                default:
                    return Optional.empty();
            }
        }
    }

    /** libseccomp's SCMP_ACT_* values, which are the kernel's SECCOMP_RET_* ones. */
    static final class Action {
        static final int KILL_THREAD = 0x0000_0000;
        static final int KILL_PROCESS = 0x8000_0000;
        static final int TRAP = 0x0003_0000;
        static final int ERRNO = 0x0005_0000;
        static final int TRACE = 0x7FF0_0000;
        static final int LOG = 0x7FFC_0000;
        static final int ALLOW = 0x7FFF_0000;

        private Action() {
        }

        static OptionalInt of(String name, int errno) {
            switch (name) {
                case "SCMP_ACT_ALLOW":
                    return OptionalInt.of(ALLOW);
                case "SCMP_ACT_ERRNO":
                    return OptionalInt.of(ERRNO | errno);
                case "SCMP_ACT_KILL":
                case "SCMP_ACT_KILL_THREAD":
                    return OptionalInt.of(KILL_THREAD);
                case "SCMP_ACT_KILL_PROCESS":
                    return OptionalInt.of(KILL_PROCESS);
                case "SCMP_ACT_TRAP":
                    return OptionalInt.of(TRAP);
                case "SCMP_ACT_LOG":
                    return OptionalInt.of(LOG);
                case "SCMP_ACT_TRACE":
                    return OptionalInt.of(TRACE | errno);
                default:
                    return OptionalInt.empty(); // SCMP_ACT_NOTIFY needs crun's listener; unknown ones crun refuses
            }
        }
    }
}
