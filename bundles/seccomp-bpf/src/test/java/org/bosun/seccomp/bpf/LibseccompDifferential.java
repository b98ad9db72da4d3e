package org.bosun.seccomp.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares the action {@link SeccompBpf}'s program and libseccomp's give for the same section,
 * call by call: x86_64, i386, x32 (on AUDIT_ARCH_X86_64 with the x32 bit) and aarch64 (an
 * architecture no filter lists), numbers 0..1023 and the x32 range, the edges of the number
 * space, and for socketcall and ipc every call number 0..30 in arg0 (also with the upper half
 * of arg0 set).
 */
public final class LibseccompDifferential {
    private static final Map<Integer, String> ARCHITECTURES = Map.of(BpfInterpreter.AUDIT_ARCH_X86_64, "x86_64",
            BpfInterpreter.AUDIT_ARCH_I386, "i386", BpfInterpreter.AUDIT_ARCH_AARCH64, "aarch64");

    private LibseccompDifferential() {
    }

    /**
     * Fails, naming the first call where they differ, unless both programs give the same action
     * everywhere; also fails if {@link SeccompBpf} compiles nothing for the section.
     *
     * @return how many calls were compared
     */
    public static int assertSameActions(String ociSeccompJson) throws Exception {
        Optional<byte[]> compiled = SeccompBpf.compile(ociSeccompJson);
        if (compiled.isEmpty()) {
            throw new AssertionError("SeccompBpf compiled nothing for " + ociSeccompJson);
        }
        BpfInterpreter ours = new BpfInterpreter(compiled.get());
        BpfInterpreter libseccomp = new BpfInterpreter(LibseccompOracle.export(ociSeccompJson));
        int compared = 0;
        for (Map.Entry<Integer, String> arch : ARCHITECTURES.entrySet()) {
            for (long nr : numbers()) {
                compare(ours, libseccomp, arch, (int) nr, 0L, ociSeccompJson);
                compared++;
            }
            for (int multiplexer : new int[] {ArchitectureFilter.I386_SOCKETCALL, ArchitectureFilter.I386_IPC}) {
                for (long call = 0; call <= 30; call++) {
                    compare(ours, libseccomp, arch, multiplexer, call, ociSeccompJson);
                    compare(ours, libseccomp, arch, multiplexer, (1L << 32) | call, ociSeccompJson);
                    compared += 2;
                }
            }
        }
        return compared;
    }

    private static List<Long> numbers() {
        List<Long> numbers = new ArrayList<>();
        for (long nr = 0; nr < 1024; nr++) {
            numbers.add(nr);
            numbers.add(BpfProgram.X32_SYSCALL_BIT + nr);
        }
        numbers.addAll(List.of(0x3FFF_FFFFL, 0x4000_0400L, 0x7FFF_FFFFL, 0x8000_0000L, 0xBFFF_FFFFL, 0xFFFF_FFFEL,
                0xFFFF_FFFFL));
        return numbers;
    }

    private static void compare(BpfInterpreter ours, BpfInterpreter libseccomp, Map.Entry<Integer, String> arch,
            int nr, long arg0, String profile) {
        int expected = libseccomp.run(arch.getKey(), nr, arg0);
        int actual = ours.run(arch.getKey(), nr, arg0);
        if (expected != actual) {
            throw new AssertionError(String.format("arch %s nr %d (0x%x%s) arg0 0x%x: libseccomp gives action 0x%08x,"
                    + " SeccompBpf 0x%08x; profile %s", arch.getValue(), Integer.toUnsignedLong(nr), nr,
                    name(arch.getKey(), nr), arg0, expected, actual, profile));
        }
    }

    private static String name(int arch, int nr) {
        if (arch == BpfInterpreter.AUDIT_ARCH_AARCH64) {
            return "";
        }
        SyscallNumbers table = arch == BpfInterpreter.AUDIT_ARCH_I386 ? SyscallNumbers.i386()
                : (nr & BpfProgram.X32_SYSCALL_BIT) != 0 ? SyscallNumbers.x32() : SyscallNumbers.x86_64();
        for (String name : table.names()) {
            if (table.number(name).getAsInt() == nr) {
                return ", " + name;
            }
        }
        return "";
    }
}
