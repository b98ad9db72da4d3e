package org.bosun.seccomp.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a classic BPF seccomp program on one struct seccomp_data, as the kernel would: the
 * instructions libseccomp and {@link SeccompBpf} emit (loads, ALU, jumps, returns, scratch
 * memory). An instruction it does not know, a jump out of the program or a fall off its end fails.
 */
public final class BpfInterpreter {
    public static final int AUDIT_ARCH_X86_64 = 0xC000_003E;
    public static final int AUDIT_ARCH_I386 = 0x4000_0003;
    public static final int AUDIT_ARCH_AARCH64 = 0xC000_00B7;

    private final int[] code;
    private final int[] jt;
    private final int[] jf;
    private final int[] k;

    public BpfInterpreter(byte[] program) {
        if (program.length == 0 || program.length % 8 != 0) {
            throw new IllegalArgumentException("a BPF program is a non-empty array of 8-byte instructions, not "
                    + program.length + " bytes");
        }
        int count = program.length / 8;
        code = new int[count];
        jt = new int[count];
        jf = new int[count];
        k = new int[count];
        ByteBuffer buffer = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            code[i] = Short.toUnsignedInt(buffer.getShort());
            jt[i] = Byte.toUnsignedInt(buffer.get());
            jf[i] = Byte.toUnsignedInt(buffer.get());
            k[i] = buffer.getInt();
        }
    }

    public int length() {
        return code.length;
    }

    /** The action (SECCOMP_RET_* with its data) the program returns for this call. */
    public int run(int arch, int nr, long... args) {
        byte[] data = new byte[64];
        ByteBuffer seccompData = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        seccompData.putInt(0, nr).putInt(4, arch).putLong(8, 0x7f00_1234_5678L);
        for (int i = 0; i < args.length; i++) {
            seccompData.putLong(16 + 8 * i, args[i]);
        }
        int a = 0;
        int x = 0;
        int[] memory = new int[16];
        int pc = 0;
        while (true) {
            if (pc < 0 || pc >= code.length) {
                throw new IllegalStateException("the program runs off its end at " + pc);
            }
            int op = code[pc];
            int operand = k[pc];
            int src = (op & 0x08) != 0 ? x : operand; // BPF_X or BPF_K
            switch (op & 0x07) {
                case 0x00 -> { // BPF_LD
                    a = load(op, operand, x, seccompData, memory, pc);
                }
                case 0x01 -> { // BPF_LDX
                    x = switch (op & 0xe0) {
                        case 0x00 -> operand; // BPF_IMM
                        case 0x60 -> memory[operand]; // BPF_MEM
                        case 0x80 -> 64; // BPF_LEN
                        default -> throw unknown(op, pc);
                    };
                }
                case 0x02 -> memory[operand] = a; // BPF_ST
                case 0x03 -> memory[operand] = x; // BPF_STX
                case 0x04 -> a = alu(op, a, src, pc); // BPF_ALU
                case 0x05 -> { // BPF_JMP
                    if ((op & 0xf0) == 0x00) { // BPF_JA
                        pc += 1 + operand;
                        continue;
                    }
                    boolean taken = switch (op & 0xf0) {
                        case 0x10 -> a == src; // BPF_JEQ
                        case 0x20 -> Integer.compareUnsigned(a, src) > 0; // BPF_JGT
                        case 0x30 -> Integer.compareUnsigned(a, src) >= 0; // BPF_JGE
                        case 0x40 -> (a & src) != 0; // BPF_JSET
                        default -> throw unknown(op, pc);
                    };
                    pc += 1 + (taken ? jt[pc] : jf[pc]);
                    continue;
                }
                case 0x06 -> { // BPF_RET
                    return switch (op & 0x18) {
                        case 0x00 -> operand; // BPF_K
                        case 0x10 -> a; // BPF_A
                        default -> throw unknown(op, pc);
                    };
                }
                case 0x07 -> { // BPF_MISC
                    if ((op & 0xf8) == 0x00) {
                        x = a; // BPF_TAX
                    } else if ((op & 0xf8) == 0x80) {
                        a = x; // BPF_TXA
                    } else {
                        throw unknown(op, pc);
                    }
                }
                default -> throw unknown(op, pc);
            }
            pc++;
        }
    }

    private static int load(int op, int operand, int x, ByteBuffer data, int[] memory, int pc) {
        int mode = op & 0xe0;
        if (mode == 0x00) {
            return operand; // BPF_IMM
        }
        if (mode == 0x60) {
            return memory[operand]; // BPF_MEM
        }
        if (mode == 0x80) {
            return 64; // BPF_LEN
        }
        if ((op & 0x18) != 0x00 || (mode != 0x20 && mode != 0x40)) {
            throw unknown(op, pc); // seccomp allows only 32-bit loads
        }
        int offset = mode == 0x20 ? operand : operand + x;
        if (offset < 0 || offset > 60 || offset % 4 != 0) {
            throw new IllegalStateException("instruction " + pc + " loads from offset " + offset);
        }
        return data.getInt(offset);
    }

    private static int alu(int op, int a, int src, int pc) {
        return switch (op & 0xf0) {
            case 0x00 -> a + src;
            case 0x10 -> a - src;
            case 0x20 -> a * src;
            case 0x30 -> Integer.divideUnsigned(a, src);
            case 0x40 -> a | src;
            case 0x50 -> a & src;
            case 0x60 -> a << src;
            case 0x70 -> a >>> src;
            case 0x80 -> -a;
            case 0xa0 -> a ^ src;
            default -> throw unknown(op, pc);
        };
    }

    private static IllegalStateException unknown(int op, int pc) {
        return new IllegalStateException("instruction " + pc + " has an opcode this interpreter does not know: 0x"
                + Integer.toHexString(op));
    }
}
