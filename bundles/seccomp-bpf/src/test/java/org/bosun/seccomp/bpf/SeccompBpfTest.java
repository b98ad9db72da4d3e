package org.bosun.seccomp.bpf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Optional;

import org.junit.Test;

/**
 * What {@link SeccompBpf} compiles and what it leaves to crun and libseccomp (an empty result),
 * checked on the program itself with {@link BpfInterpreter}.
 */
public class SeccompBpfTest {
    private static final int ALLOW = 0x7FFF_0000;
    private static final int EPERM = 0x0005_0001;
    private static final int KILL_THREAD = 0;
    private static final int X86_64 = BpfInterpreter.AUDIT_ARCH_X86_64;
    private static final int I386 = BpfInterpreter.AUDIT_ARCH_I386;
    private static final String ALLOW_READ = "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}";

    @Test
    public void aWhitelistAllowsItsCallsAndRefusesTheOthersWithEperm() {
        BpfInterpreter program = compiled("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" + ALLOW_READ + "]}");
        assertEquals(ALLOW, program.run(X86_64, 0));
        assertEquals(EPERM, program.run(X86_64, 165)); // mount
    }

    @Test
    public void aCallOfAnArchitectureNotListedIsKilled() {
        BpfInterpreter program = compiled("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" + ALLOW_READ + "]}");
        assertEquals(KILL_THREAD, program.run(I386, 3));
        assertEquals(KILL_THREAD, program.run(BpfInterpreter.AUDIT_ARCH_AARCH64, 63));
    }

    @Test
    public void anX32CallIsKilledUnlessX32IsListedAndMinusOneGetsTheDefault() {
        String rules = ",\"syscalls\":[" + ALLOW_READ + "]}";
        BpfInterpreter without = compiled("{\"defaultAction\":\"SCMP_ACT_ERRNO\"" + rules);
        assertEquals(KILL_THREAD, without.run(X86_64, 0x4000_0000));
        assertEquals(EPERM, without.run(X86_64, -1));
        BpfInterpreter with = compiled("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X32\"]"
                + rules);
        assertEquals(ALLOW, with.run(X86_64, 0x4000_0000));
        assertEquals(EPERM, with.run(X86_64, 0x4000_0001));
    }

    @Test
    public void onI386ASocketRuleAlsoCoversSocketcallWithThatCallNumber() {
        BpfInterpreter program = compiled("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
                + "[\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"socket\",\"semop\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
        assertEquals(ALLOW, program.run(I386, 359)); // socket
        assertEquals(ALLOW, program.run(I386, ArchitectureFilter.I386_SOCKETCALL, 1)); // SYS_SOCKET
        assertEquals(EPERM, program.run(I386, ArchitectureFilter.I386_SOCKETCALL, 2)); // SYS_BIND
        assertEquals(ALLOW, program.run(I386, ArchitectureFilter.I386_IPC, 1)); // SEMOP
        assertEquals(EPERM, program.run(I386, ArchitectureFilter.I386_IPC, 2));
    }

    @Test
    public void errnoRetAndDefaultErrnoRetSetTheErrno() {
        BpfInterpreter program = compiled("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
                + "\"syscalls\":[{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}");
        assertEquals(0x0005_000D, program.run(X86_64, 165));
        assertEquals(0x0005_0026, program.run(X86_64, 0));
    }

    @Test
    public void emptyArgsAndKnownFlagsDoNotChangeTheProgram() {
        assertTrue(SeccompBpf.compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                + "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[]}]}").isPresent());
    }

    @Test
    public void argumentConditionsAreLeftToLibseccomp() {
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"personality\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}");
    }

    @Test
    public void anotherArchitectureIsLeftToLibseccomp() {
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
                + "\"SCMP_ARCH_AARCH64\"],\"syscalls\":[" + ALLOW_READ + "]}");
    }

    @Test
    public void notifyAndAListenerAreLeftToCrun() {
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
                + "\"action\":\"SCMP_ACT_NOTIFY\"}]}");
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/run/seccomp.sock\","
                + "\"syscalls\":[" + ALLOW_READ + "]}");
    }

    @Test
    public void unknownFlagsActionsAndMisplacedErrnosAreLeftToCrun() {
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW\"]}");
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_SOMETHING\"}");
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}");
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":1}]}");
        assertLeftToLibseccomp("{\"syscalls\":[" + ALLOW_READ + "]}");
    }

    @Test
    public void aCallGivenTwoActionsIsLeftToLibseccomp() {
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" + ALLOW_READ
                + ",{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\"}]}");
    }

    @Test
    public void socketcallAndASocketCallWithDifferentActionsAreLeftToLibseccompOnlyWhenI386IsFiltered() {
        String rules = ",\"syscalls\":[{\"names\":[\"socketcall\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_KILL\"}]}";
        assertLeftToLibseccomp("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"]" + rules);
        assertTrue(SeccompBpf.compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\"" + rules).isPresent());
    }

    @Test
    public void textThatIsNotJsonIsABug() {
        assertThrows(IllegalArgumentException.class, () -> SeccompBpf.compile("{defaultAction"));
    }

    private static BpfInterpreter compiled(String profile) {
        Optional<byte[]> program = SeccompBpf.compile(profile);
        assertTrue("compiles " + profile, program.isPresent());
        return new BpfInterpreter(program.get());
    }

    private static void assertLeftToLibseccomp(String profile) {
        assertFalse("compiles nothing for " + profile, SeccompBpf.compile(profile).isPresent());
    }
}
