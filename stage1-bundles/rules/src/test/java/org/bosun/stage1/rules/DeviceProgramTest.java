package org.bosun.stage1.rules;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.Test;

/**
 * The device program decides as the rules do. It is run here by a reading of the few instructions
 * it uses (their meaning per the kernel's eBPF instruction set); the kernel's own run of it is
 * {@code PodDevicesTest} of the nspawn engine.
 */
public class DeviceProgramTest {
    private static final int MKNOD = 1;
    private static final int READ = 2;
    private static final int WRITE = 4;

    @Test
    public void theDefaultListAllowsMknodOfAnythingAndOpensOnlyOfItsDevices() {
        byte[] program = DeviceProgram.of(AllowedDevices.DEFAULT);
        // mknod of anything, open of nothing else
        assertEquals(1, run(program, 'b', 7, 0, MKNOD));
        assertEquals(1, run(program, 'c', 4, 1, MKNOD));
        assertEquals(0, run(program, 'b', 7, 0, READ));
        assertEquals(0, run(program, 'b', 7, 0, READ | WRITE));
        assertEquals(0, run(program, 'c', 4, 1, READ | WRITE));
        assertEquals(0, run(program, 'c', 10, 237, READ));
        assertEquals(0, run(program, 'c', 10, 229, READ | WRITE)); // fuse: not unless asked
        assertEquals(0, run(program, 'b', 7, 0, READ | MKNOD));
        // the listed ones
        for (int minor : new int[] {3, 5, 7, 8, 9}) {
            assertEquals("1:" + minor, 1, run(program, 'c', 1, minor, READ | WRITE));
        }
        assertEquals(0, run(program, 'c', 1, 1, READ)); // /dev/mem
        assertEquals(0, run(program, 'b', 1, 3, READ)); // a block device of the same numbers
        assertEquals(1, run(program, 'c', 5, 2, READ | WRITE));
        assertEquals(0, run(program, 'c', 5, 3, READ));
        assertEquals(1, run(program, 'c', 136, 0, READ | WRITE));
        assertEquals(1, run(program, 'c', 136, 4095, WRITE));
        assertEquals(0, run(program, 'c', 137, 0, READ));
    }

    @Test
    public void everyRuleOfAnyListIsTheProgramsAnswer() {
        List<AllowedDevices.Rule> rules = List.of(new AllowedDevices.Rule('b', 8, AllowedDevices.ANY, "r"),
                new AllowedDevices.Rule('c', AllowedDevices.ANY, 2, "w"),
                new AllowedDevices.Rule('c', 9, 9, "rm"));
        byte[] program = DeviceProgram.of(rules);
        for (char type : new char[] {'b', 'c'}) {
            for (int major : new int[] {2, 8, 9}) {
                for (int minor : new int[] {0, 2, 9}) {
                    for (int access = 1; access <= 7; access++) {
                        assertEquals(type + " " + major + ":" + minor + " " + access,
                                allowed(rules, type, major, minor, access) ? 1 : 0,
                                run(program, type, major, minor, access));
                    }
                }
            }
        }
    }

    @Test
    public void noRuleRefusesEverything() {
        byte[] program = DeviceProgram.of(List.of());
        assertEquals(2 * 8 + 6 * 8, program.length);
        assertEquals(0, run(program, 'c', 1, 3, MKNOD));
    }

    private static boolean allowed(List<AllowedDevices.Rule> rules, char type, int major, int minor, int access) {
        for (AllowedDevices.Rule rule : rules) {
            int granted = (rule.access().contains("m") ? MKNOD : 0) | (rule.access().contains("r") ? READ : 0)
                    | (rule.access().contains("w") ? WRITE : 0);
            if (rule.type() == type && (rule.major() == AllowedDevices.ANY || rule.major() == major)
                    && (rule.minor() == AllowedDevices.ANY || rule.minor() == minor) && (access & ~granted) == 0) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code program} on a device context as the kernel lays it out; returns r0 at exit. */
    private static long run(byte[] program, char type, int major, int minor, int access) {
        ByteBuffer ctx = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        ctx.putInt((access << 16) | (type == 'b' ? 1 : 2)).putInt(major).putInt(minor);
        ByteBuffer code = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        long[] r = new long[11];
        final long context = -1; // r1 holds no real address: only loads through it are read
        r[1] = context;
        int pc = 0;
        for (int steps = 0; steps < 10_000; steps++) {
            if (pc < 0 || pc * 8 >= program.length) {
                fail("the program leaves its instructions at " + pc);
            }
            int op = code.get(pc * 8) & 0xff;
            int regs = code.get(pc * 8 + 1) & 0xff;
            int dst = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? regs & 0xf : regs >> 4;
            int src = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? regs >> 4 : regs & 0xf;
            short off = code.getShort(pc * 8 + 2);
            long imm = code.getInt(pc * 8 + 4);
            pc++;
            switch (op) {
                case 0x61 -> {
                    assertEquals("loads only from the context", context, r[src]);
                    r[dst] = Integer.toUnsignedLong(ctx.getInt(off));
                }
                case 0x57 -> r[dst] &= imm;
                case 0x77 -> r[dst] >>>= imm;
                case 0xb7 -> r[dst] = imm;
                case 0xbf -> r[dst] = r[src];
                case 0x55 -> pc += r[dst] != imm ? off : 0;
                case 0x95 -> {
                    return r[0];
                }
                default -> fail("unexpected opcode " + Integer.toHexString(op) + " at " + (pc - 1));
            }
        }
        fail("the program does not end");
        return -1;
    }
}
