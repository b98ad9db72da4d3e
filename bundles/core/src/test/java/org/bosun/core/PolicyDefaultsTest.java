package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;
import java.util.Set;

import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.host.HostCapabilities;
import org.junit.Test;

/** What every engine is given: the policy the modules contributed, with the core's defaults and what is off resolved. */
public class PolicyDefaultsTest {
    private static final String PROFILE = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}";

    @Test
    public void aPolicyNoModuleContributedToGetsRuncsDefaultCapabilitiesAndPaths() {
        SecurityPolicy p = PolicyDefaults.resolve(SecurityPolicy.UNCONFINED);
        assertEquals(Set.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"), p.capabilities());
        assertEquals(List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                p.maskedPaths());
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"), p.readonlyPaths());
        assertNull("no seccomp without a profile", p.seccompProfile());
        assertEquals(Set.of(), p.protectionsOff());
    }

    @Test
    public void whatTheModulesContributedStaysAsItIs() {
        SecurityPolicy contributed = new SecurityPolicy(Set.of("CAP_CHOWN"), true, PROFILE, List.of("/proc/kcore"),
                List.of("/proc/sys"), List.of(), null, Set.of(), false);
        assertEquals(contributed, PolicyDefaults.resolve(contributed));
    }

    @Test
    public void aProtectionThatIsOffLeavesNothingOfItselfAndEveryCapability() {
        SecurityPolicy contributed = new SecurityPolicy(Set.of("CAP_CHOWN"), true, PROFILE, List.of("/proc/kcore"),
                List.of("/proc/sys"), List.of(), null, Set.of(Protection.values()), false);
        SecurityPolicy p = PolicyDefaults.resolve(contributed);
        assertEquals(Set.copyOf(HostCapabilities.BY_NUMBER), p.capabilities());
        assertEquals(List.of(), p.maskedPaths());
        assertEquals(List.of(), p.readonlyPaths());
        assertNull(p.seccompProfile());
        assertEquals("no_new_privs is no protection of its own: it stays", true, p.noNewPrivileges());
        assertEquals(Set.of(Protection.values()), p.protectionsOff());
    }

    @Test
    public void capabilitiesOffWithoutTheirModuleAreEveryCapabilityAsTheModuleGivesThem() {
        SecurityPolicy p = PolicyDefaults.resolve(SecurityPolicy.UNCONFINED.withProtectionOff(Protection.CAPABILITIES));
        assertEquals(Set.copyOf(HostCapabilities.BY_NUMBER), p.capabilities());
        assertEquals("paths are on: the defaults", PolicyDefaults.MASKED_PATHS, p.maskedPaths());
    }

    @Test
    public void anEmptyCapabilitySetTheCapabilitiesModuleProvidedStaysEmpty() {
        SecurityPolicy none = SecurityPolicy.UNCONFINED.withNoNewPrivileges(true);
        assertEquals("an app with no capability at all", Set.of(),
                PolicyDefaults.resolve(none, Set.of(Protection.CAPABILITIES)).capabilities());
        assertEquals("no module provided it: the defaults", PolicyDefaults.CAPABILITIES,
                PolicyDefaults.resolve(none, Set.of(Protection.PATHS)).capabilities());
    }
}
