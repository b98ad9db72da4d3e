package org.bosun.security.seccomp;

import static org.junit.Assert.assertTrue;

import java.util.List;

import org.bosun.seccomp.bpf.LibseccompDifferential;
import org.junit.Test;

/**
 * The profiles this module writes, compiled by the seccomp-bpf bundle for crun, act exactly as
 * libseccomp's programs for them do (see {@link LibseccompDifferential}).
 */
public class ProfilesCompileLikeLibseccompTest {
    @Test
    public void theDefaultWhitelistCompilesLikeLibseccomp() throws Exception {
        assertTrue(LibseccompDifferential.assertSameActions(
                SeccompSet.defaultWhitelist().toOciProfile(SyscallTable.X86_64)) > 0);
    }

    @Test
    public void theDockerBlacklistWithKillCompilesLikeLibseccomp() throws Exception {
        SeccompSet blacklist = new SeccompSet(false, SeccompSet.KILL, List.of("@docker/default-blacklist"), "test");
        assertTrue(LibseccompDifferential.assertSameActions(blacklist.toOciProfile(SyscallTable.X86_64)) > 0);
    }

    @Test
    public void aWhitelistWithAnotherErrnoCompilesLikeLibseccomp() throws Exception {
        SeccompSet set = SeccompSet.parseFlag("mode=retain,errno=ENOSYS,@rkt/default-whitelist,socket,semop", "test");
        assertTrue(LibseccompDifferential.assertSameActions(set.toOciProfile(SyscallTable.X86_64)) > 0);
    }
}
