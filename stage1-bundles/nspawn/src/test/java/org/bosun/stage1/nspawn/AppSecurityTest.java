package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

public class AppSecurityTest {
    private static PodDirectory.App app(SecurityPolicy policy) {
        return new PodDirectory.App("web", Path.of("/pods/p/apps/web/rootfs"), List.of("/bin/sh"), Map.of(), 0, 0, "/",
                null, null, false, null, policy, null, null, null, null);
    }

    @Test
    public void aPrivilegedAppIsRefusedClearly() {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED.withHostDevices(true));
        PodDirectory pod = new PodDirectory(PodUnitsTest.UUID, PodUnitsTest.POD, List.of(app), Map.of());
        BosunException e = assertThrows(BosunException.class, () -> AppSecurity.check(pod, app));
        assertEquals(org.bosun.api.ErrorKind.NOT_IMPLEMENTED, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("use the oci engine"));
        AppSecurity.check(pod, app(SecurityPolicy.UNCONFINED));
    }

    private static PodDirectory.App app(SecurityPolicy policy, int uid) {
        return new PodDirectory.App("web", Path.of("/pods/p/apps/web/rootfs"), List.of("/bin/sh"), Map.of(), uid, uid,
                "/", null, null, false, null, policy, null, null, null, null);
    }

    /** systemd sets no_new_privs itself for a non-root unit with a seccomp filter: refused rather than given silently. */
    @Test
    public void noNewPrivilegesOffIsRefusedWhereSystemdWouldSetItForANonRootApp() {
        SecurityPolicy paths = new SecurityPolicy(Set.of("CAP_KILL"), false, null, List.of("/proc/kcore"), List.of(),
                List.of(), SelinuxLabels.NONE, Set.of(), false);
        SecurityPolicy filter = new SecurityPolicy(Set.of("CAP_KILL"), false, "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                + "\"syscalls\":[{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_KILL\"}]}", List.of(), List.of(),
                List.of(), SelinuxLabels.NONE, Set.of(), false);
        for (SecurityPolicy policy : List.of(paths, filter)) {
            PodDirectory.App app = app(policy, 1000);
            PodDirectory pod = new PodDirectory(PodUnitsTest.UUID, PodUnitsTest.POD, List.of(app), Map.of());
            BosunException e = assertThrows(BosunException.class, () -> AppSecurity.check(pod, app));
            assertEquals(org.bosun.api.ErrorKind.NOT_IMPLEMENTED, e.kind());
            assertTrue(e.getMessage(), e.getMessage().startsWith("app web of pod ") && e.getMessage().contains(
                    "no_new_privs off, which the nspawn engine cannot give an app running as uid 1000"));
            // as root, or with no_new_privs on, systemd does as the unit says
            AppSecurity.check(pod, app(policy, 0));
            AppSecurity.check(pod, app(policy.withNoNewPrivileges(true), 1000));
            assertFalse(AppSecurity.unitLines(app(policy, 0)).contains("NoNewPrivileges"));
        }
        PodDirectory.App bare = app(SecurityPolicy.UNCONFINED.withNoNewPrivileges(false), 1000);
        AppSecurity.check(new PodDirectory(PodUnitsTest.UUID, PodUnitsTest.POD, List.of(bare), Map.of()), bare);
    }

    @Test
    public void anAllowListBecomesSystemCallFilterLinesWithTheErrno() {
        String lines = AppSecurity.seccompLines("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
                + "\"syscalls\":[{\"names\":[\"write\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}", "app web");
        assertEquals("SystemCallFilter=read\nSystemCallFilter=write\nSystemCallErrorNumber=1\n", lines);
    }

    @Test
    public void aDenyListIsPrefixedWithTildeAndKillNeedsNoErrno() {
        String lines = AppSecurity.seccompLines("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                + "\"syscalls\":[{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_KILL\"}]}", "app web");
        assertEquals("SystemCallFilter=~reboot\n", lines);
    }

    @Test
    public void conditionsOnArgumentsAreRefusedNotDropped() {
        BosunException e = assertThrows(BosunException.class, () -> AppSecurity.seccompLines(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],"
                        + "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                "app web"));
        assertTrue(e.getMessage(), e.getMessage().contains("--stage1-name=oci"));
    }

    @Test
    public void theUnitCarriesCapabilitiesNoNewPrivilegesAndPaths() {
        SecurityPolicy policy = new SecurityPolicy(Set.of("CAP_KILL", "CAP_CHOWN"), true, null, List.of("/proc/kcore"),
                List.of("/proc/sys"), List.of(), SelinuxLabels.NONE, Set.of(), false);
        String unit = AppSecurity.unitLines(app(policy));
        assertEquals("CapabilityBoundingSet=CAP_CHOWN CAP_KILL\nNoNewPrivileges=yes\nProtectKernelTunables=yes\n"
                + "InaccessiblePaths=-/proc/kcore\nReadOnlyPaths=-/proc/sys\n", unit);
    }

    @Test
    public void anUnconfinedAppGetsNothing() {
        assertEquals("", AppSecurity.unitLines(app(SecurityPolicy.UNCONFINED.withProtectionOff(Protection.CAPABILITIES))));
    }

    @Test
    public void anEmptyCapabilitySetEmptiesTheBoundingSet() {
        SecurityPolicy none = SecurityPolicy.UNCONFINED.withNoNewPrivileges(true);
        assertEquals("CapabilityBoundingSet=\nNoNewPrivileges=yes\n", AppSecurity.unitLines(app(none)));
    }
}
