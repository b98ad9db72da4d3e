package org.bosun.seccomp.bpf;

import java.util.Map;
import java.util.OptionalInt;

import org.bosun.seccomp.bpf.SeccompBpf.Architecture;

/**
 * The actions of one architecture's rules, by system call number, as libseccomp 2.5 records them
 * for rules without argument conditions. On i386, libseccomp turns a rule on a socket or System V
 * IPC call into a rule on socketcall(2) or ipc(2) with that call number in the first argument,
 * besides the direct call where i386 has one; this class does the same.
 */
final class ArchitectureFilter {
    static final int I386_SOCKETCALL = 102;
    static final int I386_IPC = 117;
    /** The call numbers of socketcall(2) (linux/net.h SYS_*), as libseccomp's __PNR_* values encode them. */
    private static final Map<String, Integer> SOCKETCALL_CALLS = Map.ofEntries(Map.entry("socket", 1),
            Map.entry("bind", 2), Map.entry("connect", 3), Map.entry("listen", 4), Map.entry("accept", 5),
            Map.entry("getsockname", 6), Map.entry("getpeername", 7), Map.entry("socketpair", 8),
            Map.entry("send", 9), Map.entry("recv", 10), Map.entry("sendto", 11), Map.entry("recvfrom", 12),
            Map.entry("shutdown", 13), Map.entry("setsockopt", 14), Map.entry("getsockopt", 15),
            Map.entry("sendmsg", 16), Map.entry("recvmsg", 17), Map.entry("accept4", 18),
            Map.entry("recvmmsg", 19), Map.entry("sendmmsg", 20));
    /** The call numbers of ipc(2) (linux/ipc.h), as libseccomp's __PNR_* values encode them. */
    private static final Map<String, Integer> IPC_CALLS = Map.ofEntries(Map.entry("semop", 1),
            Map.entry("semget", 2), Map.entry("semctl", 3), Map.entry("semtimedop", 4), Map.entry("msgsnd", 11),
            Map.entry("msgrcv", 12), Map.entry("msgget", 13), Map.entry("msgctl", 14), Map.entry("shmat", 21),
            Map.entry("shmdt", 22), Map.entry("shmget", 23), Map.entry("shmctl", 24));

    /** Every system call number of these ABIs (without the x32 bit) is below this. */
    static final int TABLE_SIZE = 1024;
    /** Call numbers of socketcall and ipc are below this. */
    static final int CALLS_SIZE = 32;

    final Architecture architecture;
    final int defaultAction;
    /** What the first table entry stands for in seccomp_data.nr: 0, or the x32 bit. */
    final long firstNumber;
    private final SyscallNumbers numbers;
    /** Unconditional rules, by number less {@link #firstNumber}: arrays, as this runs in every prepare. */
    private final Table direct = new Table(TABLE_SIZE);
    /** i386 only: the rules on a call number in arg0 of socketcall and of ipc. */
    private final Table socketcall = new Table(CALLS_SIZE);
    private final Table ipc = new Table(CALLS_SIZE);

    /** Actions by index; an index without a rule has none. */
    static final class Table {
        private final int[] actions;
        private final boolean[] ruled;
        private int count;

        Table(int size) {
            actions = new int[size];
            ruled = new boolean[size];
        }

        int size() {
            return actions.length;
        }

        boolean ruled(int index) {
            return ruled[index];
        }

        int action(int index) {
            return actions[index];
        }

        boolean isEmpty() {
            return count == 0;
        }

        /** False if the index already has another action. */
        private boolean put(int index, int action) {
            if (ruled[index]) {
                return actions[index] == action;
            }
            ruled[index] = true;
            actions[index] = action;
            count++;
            return true;
        }
    }

    ArchitectureFilter(Architecture architecture, int defaultAction) {
        this.architecture = architecture;
        this.defaultAction = defaultAction;
        this.numbers = switch (architecture) {
            case X86_64 -> SyscallNumbers.x86_64();
            case X86 -> SyscallNumbers.i386();
            case X32 -> SyscallNumbers.x32();
        };
        this.firstNumber = architecture == Architecture.X32 ? BpfProgram.X32_SYSCALL_BIT : 0;
    }

    /**
     * Adds a rule on {@code name}; a name this architecture does not have is skipped, as crun
     * skips it. False if the call already has another action (libseccomp would refuse it).
     */
    boolean add(String name, int action) {
        if (architecture == Architecture.X86) {
            Integer call = SOCKETCALL_CALLS.get(name);
            if (call != null && !socketcall.put(call, action)) {
                return false;
            }
            call = IPC_CALLS.get(name);
            if (call != null && !ipc.put(call, action)) {
                return false;
            }
        }
        OptionalInt number = numbers.number(name);
        if (number.isEmpty()) {
            return true;
        }
        long index = Integer.toUnsignedLong(number.getAsInt()) - firstNumber;
        return index >= 0 && index < TABLE_SIZE && direct.put((int) index, action);
    }

    /** The unconditional rules. */
    Table direct() {
        return direct;
    }

    /**
     * False when an unconditional i386 rule on socketcall or ipc has another action than a rule
     * on one of their calls: libseccomp then merges an unconditional and a conditional rule with
     * different actions, which this compiler does not reproduce, so it compiles nothing.
     */
    boolean consistent() {
        return agrees(I386_SOCKETCALL, socketcall) && agrees(I386_IPC, ipc);
    }

    private boolean agrees(int syscall, Table calls) {
        if (direct.ruled(syscall)) {
            for (int call = 0; call < calls.size(); call++) {
                if (calls.ruled(call) && calls.action(call) != direct.action(syscall)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The rules on the call number in arg0 of i386's socketcall ({@link #I386_SOCKETCALL}) or ipc
     * ({@link #I386_IPC}); null when no rule depends on arg0 or an unconditional rule decides.
     */
    Table multiplexed(int syscall) {
        if (architecture != Architecture.X86 || direct.ruled(syscall)) {
            return null;
        }
        Table calls = syscall == I386_SOCKETCALL ? socketcall : syscall == I386_IPC ? ipc : null;
        return calls == null || calls.isEmpty() ? null : calls;
    }
}
