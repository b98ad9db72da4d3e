package org.bosun.seccomp.bpf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.Test;

/**
 * The specification of {@link SeccompBpf}: for every section it compiles, its program gives the
 * same action as libseccomp 2.5's (Debian's, through python3-seccomp, built the way crun builds
 * it) for every architecture, call number and socketcall/ipc call.
 */
public class SeccompBpfMatchesLibseccompTest {
    private static final String ALL_ARCHES = "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]";

    @Test
    public void aWhitelistWithTheThreeArchitecturesMatches() throws Exception {
        assertMatches("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":" + ALL_ARCHES
                + ",\"syscalls\":[{\"names\":[\"read\",\"write\",\"openat\",\"close\",\"exit_group\",\"execve\","
                + "\"_llseek\",\"fstat64\",\"rt_sigaction\",\"mmap2\",\"socketcall\",\"ipc\",\"no_such_call\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\"}]}");
    }

    @Test
    public void mixedErrnoKillTrapLogTraceAndAllowRulesMatch() throws Exception {
        assertMatches("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":" + ALL_ARCHES + ",\"syscalls\":["
                + "{\"names\":[\"mount\",\"umount2\",\"reboot\"],\"action\":\"SCMP_ACT_KILL\"},"
                + "{\"names\":[\"kexec_load\",\"swapon\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
                + "{\"names\":[\"unshare\",\"setns\",\"umount\"],\"action\":\"SCMP_ACT_ERRNO\"},"
                + "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
                + "{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_TRAP\"},"
                + "{\"names\":[\"sync\"],\"action\":\"SCMP_ACT_LOG\"},"
                + "{\"names\":[\"syncfs\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":5},"
                + "{\"names\":[\"chroot\"],\"action\":\"SCMP_ACT_KILL_THREAD\"},"
                + "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
    }

    @Test
    public void anX8664OnlyProfileKillsI386AndX32Calls() throws Exception {
        String rules = ",\"syscalls\":[{\"names\":[\"read\",\"write\",\"exit_group\",\"socket\",\"semop\"],"
                + "\"action\":\"SCMP_ACT_ALLOW\"}]}";
        assertMatches("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"]" + rules);
        assertMatches("{\"defaultAction\":\"SCMP_ACT_ERRNO\"" + rules);
    }

    @Test
    public void withAndWithoutX32Match() throws Exception {
        String rules = ",\"syscalls\":[{\"names\":[\"read\",\"write\",\"rt_sigaction\",\"ioctl\",\"readv\","
                + "\"execve\",\"preadv2\",\"pwritev2\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";
        assertMatches("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"architectures\":"
                + "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]" + rules);
        assertMatches("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"architectures\":"
                + "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X32\"]" + rules);
        assertMatches("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"architectures\":" + ALL_ARCHES + rules);
    }

    @Test
    public void socketAndIpcCallsWithoutSocketcallOrIpcAreAllowedThroughTheMultiplexersOnI386() throws Exception {
        assertMatches("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":" + ALL_ARCHES + ",\"syscalls\":["
                + "{\"names\":[\"socket\",\"connect\",\"send\",\"recv\",\"accept\",\"sendmmsg\",\"semop\","
                + "\"semtimedop\",\"shmat\",\"msgrcv\",\"shmctl\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"bind\",\"msgsnd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
                + "{\"names\":[\"listen\"],\"action\":\"SCMP_ACT_KILL\"}]}");
    }

    @Test
    public void socketcallAllowedOutrightAlongsideSocketMatches() throws Exception {
        assertMatches("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":" + ALL_ARCHES + ",\"syscalls\":["
                + "{\"names\":[\"socket\",\"socketcall\",\"bind\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
    }

    @Test
    public void everyOtherSystemCallAllowedNeedsLongJumpsAndStillMatches() throws Exception {
        List<String> names = new ArrayList<>();
        for (SyscallNumbers table : List.of(SyscallNumbers.x86_64(), SyscallNumbers.i386(), SyscallNumbers.x32())) {
            table.names().stream().filter(name -> (table.number(name).getAsInt() & 1) == 0).forEach(names::add);
        }
        String quoted = names.stream().distinct().map(name -> "\"" + name + "\"").collect(Collectors.joining(","));
        String profile = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"architectures\":"
                + ALL_ARCHES + ",\"syscalls\":[{\"names\":[" + quoted + "],\"action\":\"SCMP_ACT_ALLOW\"}]}";
        assertTrue("a program this long must use ja for the far side of a branch",
                SeccompBpf.compile(profile).get().length / 8 > 256);
        assertMatches(profile);
    }

    @Test
    public void aRuleWithTheDefaultActionIsIgnoredLikeCrunIgnoresIt() throws Exception {
        assertMatches("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":" + ALL_ARCHES + ",\"syscalls\":["
                + "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"write\",\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}");
    }

    @Test
    public void theTablesNumberEveryCallAsLibseccompDoes() throws Exception {
        assertSameNumbers("X86_64", SyscallNumbers.x86_64());
        assertSameNumbers("X86", SyscallNumbers.i386());
        assertSameNumbers("X32", SyscallNumbers.x32());
    }

    private static void assertSameNumbers(String arch, SyscallNumbers table) throws Exception {
        List<String> names = new ArrayList<>(table.names());
        List<String> expected = LibseccompOracle.resolve(arch, names);
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            // libseccomp's resolver names the multiplexer for i386 socket and IPC calls, not the direct one
            String libseccompName = expected.get(i).split(" ")[0];
            int number = table.number(name).getAsInt();
            boolean multiplexed = table == SyscallNumbers.i386() && expected.get(i).endsWith(" 102")
                    || table == SyscallNumbers.i386() && expected.get(i).endsWith(" 117");
            actual.add(libseccompName + " " + (multiplexed ? expected.get(i).split(" ")[1] : number));
        }
        assertEquals(arch + " numbers", String.join("\n", expected), String.join("\n", actual));
    }

    private static void assertMatches(String profile) throws Exception {
        assertTrue(LibseccompDifferential.assertSameActions(profile) > 6000);
    }
}
