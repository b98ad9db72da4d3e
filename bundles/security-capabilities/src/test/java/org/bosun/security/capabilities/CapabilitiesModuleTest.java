package org.bosun.security.capabilities;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityPolicy;
import org.junit.Test;

public class CapabilitiesModuleTest {
    private final CapabilitiesModule module = new CapabilitiesModule();

    private static SecurityContext app(List<String> retain, List<String> remove, Set<InsecureOption> insecure,
            ImageManifest.Isolator... isolators) {
        return new SecurityContext(null, "pod", "app", insecure,
                new AppSettings(null, null, false, null, retain, remove, null, null, null), List.of(isolators), null,
                null);
    }

    private SecurityPolicy policy(SecurityContext context) {
        return module.contribute(context, SecurityPolicy.UNCONFINED);
    }

    @Test
    public void aDefaultAppGetsRktsFourteenCapabilitiesAndNoNewPrivileges() {
        SecurityPolicy p = policy(app(null, null, Set.of()));
        assertEquals(Capabilities.RKT_DEFAULT, p.capabilities());
        assertEquals(14, p.capabilities().size());
        assertTrue(p.noNewPrivileges());
        assertEquals(Set.of(), p.protectionsOff());
    }

    @Test
    public void capsRetainGivesExactlyTheNamedSetAndWinsOverCapsRemove() {
        SecurityPolicy p = policy(app(List.of("net_admin", "CAP_KILL"), List.of("CAP_KILL"), Set.of()));
        assertEquals(Set.of("CAP_NET_ADMIN", "CAP_KILL"), p.capabilities());
    }

    private static SecurityContext adding(List<String> retain, List<String> remove, List<String> add) {
        return new SecurityContext(null, "pod", "app", Set.of(),
                new AppSettings(null, null, false, null, retain, remove, null, null, null, add, null, null, false),
                List.of(), null, null);
    }

    @Test
    public void capsAddGoesOnTopOfTheDefaultTheRemovedOrTheRetainedSet() {
        SecurityPolicy p = policy(adding(null, null, List.of("sys_admin", "CAP_NET_ADMIN")));
        assertEquals(16, p.capabilities().size());
        assertTrue(p.capabilities().containsAll(Capabilities.RKT_DEFAULT));
        assertTrue(p.capabilities().containsAll(Set.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN")));
        p = policy(adding(null, List.of("CAP_CHOWN"), List.of("CAP_SYS_TIME")));
        assertFalse(p.capabilities().contains("CAP_CHOWN"));
        assertTrue(p.capabilities().contains("CAP_SYS_TIME"));
        assertEquals(14, p.capabilities().size());
        assertEquals(Set.of("CAP_KILL", "CAP_SYS_TIME"),
                policy(adding(List.of("CAP_KILL"), null, List.of("CAP_SYS_TIME"))).capabilities());
    }

    @Test
    public void anUnknownCapabilityToAddIsRefusedByName() {
        BosunException e = assertThrows(BosunException.class, () -> policy(adding(null, null, List.of("FLY"))));
        assertTrue(e.getMessage(), e.getMessage().contains("'FLY'") && e.getMessage().contains("to add"));
    }

    @Test
    public void capsRemoveTakesTheNamedOnesOutOfTheDefaultSet() {
        SecurityPolicy p = policy(app(null, List.of("CAP_NET_RAW"), Set.of()));
        assertFalse(p.capabilities().contains("CAP_NET_RAW"));
        assertEquals(13, p.capabilities().size());
    }

    @Test
    public void theImagesIsolatorsApplyUnlessTheFlagsSaySomething() {
        ImageManifest.Isolator retain = new ImageManifest.Isolator(CapabilitiesModule.RETAIN_SET,
                "{\"set\":[\"CAP_SYS_TIME\"]}");
        assertEquals(Set.of("CAP_SYS_TIME"), policy(app(null, null, Set.of(), retain)).capabilities());
        assertEquals(Set.of("CAP_KILL"), policy(app(List.of("CAP_KILL"), null, Set.of(), retain)).capabilities());
    }

    @Test
    public void anImageWithBothCapabilityIsolatorsIsRefused() {
        BosunException e = assertThrows(BosunException.class, () -> policy(app(null, null, Set.of(),
                new ImageManifest.Isolator(CapabilitiesModule.RETAIN_SET, "{\"set\":[\"CAP_KILL\"]}"),
                new ImageManifest.Isolator(CapabilitiesModule.REMOVE_SET, "{\"set\":[\"CAP_KILL\"]}"))));
        assertTrue(e.getMessage(), e.getMessage().contains("both"));
    }

    @Test
    public void anUnknownCapabilityIsRefusedByName() {
        BosunException e = assertThrows(BosunException.class, () -> policy(app(List.of("CAP_FLY"), null, Set.of())));
        assertTrue(e.getMessage(), e.getMessage().contains("CAP_FLY") && e.getMessage().contains("--caps-retain"));
    }

    @Test
    public void theNoNewPrivilegesIsolatorSwitchesItOff() {
        SecurityPolicy p = policy(app(null, null, Set.of(),
                new ImageManifest.Isolator(CapabilitiesModule.NO_NEW_PRIVILEGES, "false")));
        assertFalse(p.noNewPrivileges());
    }

    @Test
    public void theAppsOwnNoNewPrivilegesWinsOverTheImagesIsolator() {
        ImageManifest.Isolator on = new ImageManifest.Isolator(CapabilitiesModule.NO_NEW_PRIVILEGES, "true");
        ImageManifest.Isolator off = new ImageManifest.Isolator(CapabilitiesModule.NO_NEW_PRIVILEGES, "false");
        for (Boolean own : new Boolean[] {false, true}) {
            for (ImageManifest.Isolator isolator : new ImageManifest.Isolator[] {on, off}) {
                SecurityContext context = new SecurityContext(null, "pod", "app", Set.of(), new AppSettings(null, null,
                        false, null, null, null, null, null, null, null, null, null, false, own), List.of(isolator),
                        null, null);
                assertEquals(own + " over " + isolator.value(), own, policy(context).noNewPrivileges());
            }
        }
    }

    @Test
    public void ofSeveralNoNewPrivilegesIsolatorsTheLastOneCounts() {
        ImageManifest.Isolator on = new ImageManifest.Isolator(CapabilitiesModule.NO_NEW_PRIVILEGES, "true");
        ImageManifest.Isolator off = new ImageManifest.Isolator(CapabilitiesModule.NO_NEW_PRIVILEGES, "false");
        assertFalse(policy(app(null, null, Set.of(), on, off)).noNewPrivileges());
        assertTrue(policy(app(null, null, Set.of(), off, on)).noNewPrivileges());
    }

    @Test
    public void removingEveryDefaultCapabilityLeavesTheAppNone() {
        SecurityPolicy p = policy(app(null, List.copyOf(Capabilities.RKT_DEFAULT), Set.of()));
        assertEquals(Set.of(), p.capabilities());
        assertEquals("capabilities stay a protection that is on", Set.of(), p.protectionsOff());
    }

    @Test
    public void insecureCapabilitiesGivesEveryCapabilityAndIsRecorded() {
        SecurityPolicy p = policy(app(null, null, Set.of(InsecureOption.CAPABILITIES)));
        assertEquals(Set.copyOf(Capabilities.ALL), p.capabilities());
        assertEquals(Set.of(Protection.CAPABILITIES), p.protectionsOff());
    }
}
