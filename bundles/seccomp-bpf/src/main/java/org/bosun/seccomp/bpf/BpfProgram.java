package org.bosun.seccomp.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

import org.bosun.seccomp.bpf.SeccompBpf.Architecture;

/**
 * Lays out the filters of all architectures as one classic BPF program: a check of
 * seccomp_data.arch, then per architecture a binary search over ranges of system call numbers
 * that share an action, so a call costs about ten comparisons instead of a walk down a list.
 * The program is a tree (every path ends in a return), so each branch only jumps forward, over
 * the code of its other side; a side longer than a conditional jump reaches gets a {@code ja}.
 */
final class BpfProgram {
    static final int LD_W_ABS = 0x20;
    static final int JMP_JA = 0x05;
    static final int JMP_JEQ_K = 0x15;
    static final int JMP_JGE_K = 0x35;
    static final int RET_K = 0x06;
    /** Offsets in struct seccomp_data. */
    static final int NR = 0;
    static final int ARCH = 4;
    static final int ARG0_LOW = 16;
    /** x32 calls reach seccomp with this bit set in nr and AUDIT_ARCH_X86_64 in arch. */
    static final long X32_SYSCALL_BIT = 0x4000_0000L;
    private static final long MAX_NR = 0xFFFF_FFFFL;
    private static final int MAX_CONDITIONAL_JUMP = 255;

    private BpfProgram() {
    }

    // Plain classes, not records: a record's equals and hashCode bootstrap through invokedynamic,
    // which costs milliseconds the first time in every bosun process.

    /** One node of the program tree. */
    private abstract static class Node {
        /** How many instructions its code takes; 0 until {@link #size(Node)} counts them. */
        int size;
    }

    /** Returns an action. Equal actions are equal nodes, so neighbouring ranges can merge. */
    private static final class Ret extends Node {
        final int action;

        Ret(int action) {
            this.action = action;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Ret ret && ret.action == action;
        }

        @Override
        public int hashCode() {
            return action;
        }
    }

    /** Loads a word of seccomp_data into the accumulator, then goes on. */
    private static final class Load extends Node {
        final int offset;
        final Node next;

        Load(int offset, Node next) {
            this.offset = offset;
            this.next = next;
        }
    }

    /** Jumps to {@code whenTrue} if the accumulator compares true with {@code k}, else to {@code whenFalse}. */
    private static final class Branch extends Node {
        final int op;
        final long k;
        final Node whenTrue;
        final Node whenFalse;

        Branch(int op, long k, Node whenTrue, Node whenFalse) {
            this.op = op;
            this.k = k;
            this.whenTrue = whenTrue;
            this.whenFalse = whenFalse;
        }
    }

    /**
     * The program for these filters (X86_64 always among them), or empty if the rules of one
     * architecture are not consistent.
     */
    static Optional<byte[]> of(List<ArchitectureFilter> filters, int badArchAction) {
        ArchitectureFilter x8664 = null;
        ArchitectureFilter x32 = null;
        ArchitectureFilter i386 = null;
        for (ArchitectureFilter filter : filters) {
            if (!filter.consistent()) {
                return Optional.empty();
            }
            switch (filter.architecture) {
                case X86_64 -> x8664 = filter;
                case X32 -> x32 = filter;
                case X86 -> i386 = filter;
            }
        }
        Node badArch = new Ret(badArchAction);
        Node others = badArch;
        if (i386 != null) {
            others = new Branch(JMP_JEQ_K, Architecture.X86.auditArch & MAX_NR, new Load(NR, search(i386, null, badArchAction)),
                    badArch);
        }
        Node root = new Load(ARCH, new Branch(JMP_JEQ_K, Architecture.X86_64.auditArch & MAX_NR,
                new Load(NR, search(x8664, x32, badArchAction)), others));
        ByteBuffer code = ByteBuffer.allocate(size(root) * 8).order(ByteOrder.LITTLE_ENDIAN);
        emit(root, code);
        return Optional.of(code.array());
    }

    /**
     * The search over one arch value's system call numbers. x86_64 and x32 share AUDIT_ARCH_X86_64:
     * with both, their rules merge; with x86_64 alone, libseccomp sends numbers with the x32 bit to
     * the bad-architecture action, except -1, which tracers use to skip a call.
     */
    private static Node search(ArchitectureFilter filter, ArchitectureFilter x32, int badArchAction) {
        Node fallback = new Ret(filter.defaultAction);
        Ranges ranges = new Ranges(2 * ArchitectureFilter.TABLE_SIZE + 4);
        addTable(ranges, filter, fallback);
        ranges.add(ArchitectureFilter.TABLE_SIZE, fallback);
        if (x32 == null && filter.architecture == Architecture.X86_64) {
            ranges.add(X32_SYSCALL_BIT, new Ret(badArchAction));
            ranges.add(MAX_NR, fallback);
        } else if (x32 != null) {
            addTable(ranges, x32, fallback);
            ranges.add(X32_SYSCALL_BIT + ArchitectureFilter.TABLE_SIZE, fallback);
        }
        return ranges.bisect(0, ranges.count);
    }

    private static void addTable(Ranges ranges, ArchitectureFilter filter, Node fallback) {
        ArchitectureFilter.Table direct = filter.direct();
        for (int index = 0; index < direct.size(); index++) {
            ArchitectureFilter.Table calls = filter.multiplexed(index);
            Node node = fallback;
            if (calls != null) {
                node = new Load(ARG0_LOW, searchCalls(calls, fallback));
            } else if (direct.ruled(index)) {
                node = new Ret(direct.action(index));
            }
            ranges.add(filter.firstNumber + index, node);
        }
    }

    /** The search over arg0 of socketcall or ipc: the call number. */
    private static Node searchCalls(ArchitectureFilter.Table calls, Node fallback) {
        Ranges ranges = new Ranges(calls.size() + 1);
        for (int call = 0; call < calls.size(); call++) {
            ranges.add(call, calls.ruled(call) ? new Ret(calls.action(call)) : fallback);
        }
        ranges.add(calls.size(), fallback);
        return ranges.bisect(0, ranges.count);
    }

    /** Ranges of numbers that do the same, added in ascending order: each starts where the previous ends. */
    private static final class Ranges {
        final long[] starts;
        final Node[] nodes;
        int count;

        Ranges(int capacity) {
            starts = new long[capacity];
            nodes = new Node[capacity];
        }

        /** Numbers from {@code start} on do what {@code node} does; joins the previous range if it does the same. */
        void add(long start, Node node) {
            if (count == 0 || !nodes[count - 1].equals(node)) {
                starts[count] = start;
                nodes[count] = node;
                count++;
            }
        }

        /** A binary search over ranges {@code from} (inclusive) to {@code to} (exclusive). */
        Node bisect(int from, int to) {
            if (to - from == 1) {
                return nodes[from];
            }
            int middle = (from + to) >>> 1;
            return new Branch(JMP_JGE_K, starts[middle], bisect(middle, to), bisect(from, middle));
        }
    }

    /** The number of instructions a node's code takes, with the ja a far branch needs. */
    private static int size(Node node) {
        if (node.size == 0) {
            if (node instanceof Load load) {
                node.size = 1 + size(load.next);
            } else if (node instanceof Branch branch) {
                int whenFalse = size(branch.whenFalse);
                node.size = (whenFalse <= MAX_CONDITIONAL_JUMP ? 1 : 2) + whenFalse + size(branch.whenTrue);
            } else {
                node.size = 1;
            }
        }
        return node.size;
    }

    /** Writes a node's code: a branch, the code of its false side, then that of its true side. */
    private static void emit(Node node, ByteBuffer code) {
        if (node instanceof Ret ret) {
            put(code, RET_K, 0, 0, ret.action);
        } else if (node instanceof Load load) {
            put(code, LD_W_ABS, 0, 0, load.offset);
            emit(load.next, code);
        } else if (node instanceof Branch branch) {
            int whenFalse = size(branch.whenFalse);
            if (whenFalse <= MAX_CONDITIONAL_JUMP) {
                put(code, branch.op, whenFalse, 0, (int) branch.k);
            } else {
                put(code, branch.op, 0, 1, (int) branch.k);
                put(code, JMP_JA, 0, 0, whenFalse);
            }
            emit(branch.whenFalse, code);
            emit(branch.whenTrue, code);
        }
    }

    private static void put(ByteBuffer code, int op, int jt, int jf, int k) {
        code.putShort((short) op).put((byte) jt).put((byte) jf).putInt(k);
    }
}
