package org.bosun.stage1.rules;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

/**
 * A list of {@link AllowedDevices.Rule}s as the eBPF program of type
 * {@code BPF_PROG_TYPE_CGROUP_DEVICE} that cgroup v2 runs on every open and mknod of a device node
 * by a process of the cgroup it is attached to (and of every cgroup below): it returns 1 (allow)
 * when a rule matches the device's type, major and minor number and grants every access asked for,
 * 0 (refuse: EPERM) when none does. The kernel's context ({@code struct bpf_cgroup_dev_ctx}, in
 * linux/bpf.h) is three 32-bit words: {@code access_type} (the device type, 1 block or 2 char, in
 * the low 16 bits; the access, 1 mknod, 2 read, 4 write, in the high 16 bits), {@code major} and
 * {@code minor}.
 *
 * <p>The instructions ({@code struct bpf_insn}: opcode, destination and source register in one
 * byte, a signed 16-bit jump offset, a signed 32-bit immediate) are encoded in the machine's byte
 * order, as the kernel that loads them reads them.
 */
public final class DeviceProgram {
    private static final int LDX_MEM_W = 0x61;
    private static final int ALU64_AND_K = 0x57;
    private static final int ALU64_RSH_K = 0x77;
    private static final int ALU64_MOV_K = 0xb7;
    private static final int ALU64_MOV_X = 0xbf;
    private static final int JMP_JNE_K = 0x55;
    private static final int EXIT = 0x95;

    private static final int BLOCK = 1;
    private static final int CHAR = 2;
    private static final int MKNOD = 1;
    private static final int READ = 2;
    private static final int WRITE = 4;
    private static final int ALL = MKNOD | READ | WRITE;

    /** The size of one instruction in bytes. */
    public static final int INSTRUCTION_SIZE = 8;

    private DeviceProgram() {
    }

    /** The program of {@code rules}, {@link #INSTRUCTION_SIZE} bytes per instruction. */
    public static byte[] of(List<AllowedDevices.Rule> rules) {
        ByteBuffer out = ByteBuffer.allocate((6 + rules.size() * 8 + 2) * INSTRUCTION_SIZE)
                .order(ByteOrder.nativeOrder());
        // r2 = the device type, r3 = the access asked for, r4 = major, r5 = minor; r1 (the context) is free then
        insn(out, LDX_MEM_W, 2, 1, 0, 0);
        insn(out, ALU64_AND_K, 2, 0, 0, 0xffff);
        insn(out, LDX_MEM_W, 3, 1, 0, 0);
        insn(out, ALU64_RSH_K, 3, 0, 0, 16);
        insn(out, LDX_MEM_W, 4, 1, 4, 0);
        insn(out, LDX_MEM_W, 5, 1, 8, 0);
        for (AllowedDevices.Rule rule : rules) {
            int denied = ALL & ~access(rule.access());
            // a test that fails jumps to the next rule: past what is left of this rule's instructions
            int left = 1 + (denied != 0 ? 3 : 0) + (rule.major() != AllowedDevices.ANY ? 1 : 0)
                    + (rule.minor() != AllowedDevices.ANY ? 1 : 0) + 2;
            insn(out, JMP_JNE_K, 2, 0, --left, rule.type() == 'b' ? BLOCK : CHAR);
            if (denied != 0) {
                insn(out, ALU64_MOV_X, 1, 3, 0, 0);
                insn(out, ALU64_AND_K, 1, 0, 0, denied);
                left -= 2;
                insn(out, JMP_JNE_K, 1, 0, --left, 0);
            }
            if (rule.major() != AllowedDevices.ANY) {
                insn(out, JMP_JNE_K, 4, 0, --left, rule.major());
            }
            if (rule.minor() != AllowedDevices.ANY) {
                insn(out, JMP_JNE_K, 5, 0, --left, rule.minor());
            }
            insn(out, ALU64_MOV_K, 0, 0, 0, 1);
            insn(out, EXIT, 0, 0, 0, 0);
        }
        insn(out, ALU64_MOV_K, 0, 0, 0, 0);
        insn(out, EXIT, 0, 0, 0, 0);
        byte[] program = new byte[out.position()];
        out.flip().get(program);
        return program;
    }

    /** {@link #of} in hexadecimal, one line, as the nspawn engine's loader reads it. */
    public static String hex(List<AllowedDevices.Rule> rules) {
        return HexFormat.of().formatHex(of(rules));
    }

    private static int access(String access) {
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= switch (c) {
                case 'm' -> MKNOD;
                case 'r' -> READ;
                case 'w' -> WRITE;
                default -> throw new IllegalArgumentException("not a device access: " + c);
            };
        }
        return bits;
    }

    private static void insn(ByteBuffer out, int opcode, int dst, int src, int offset, int immediate) {
        out.put((byte) opcode);
        // dst_reg is the low nibble of the byte on a little-endian machine, the high one on a big-endian one
        out.put((byte) (out.order() == ByteOrder.LITTLE_ENDIAN ? (src << 4) | dst : (dst << 4) | src));
        out.putShort((short) offset);
        out.putInt(immediate);
    }
}
