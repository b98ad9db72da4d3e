package org.bosun.api.provider;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.Test;

/** A status has a reason exactly when its provider is not active, and says it in one line. */
public class ProviderStatusTest {

    @Test
    public void anActiveProviderIsJustActive() {
        ProviderStatus fly = new ProviderStatus(ProviderKind.ENGINE, "fly", "org.bosun.stage1.fly", "0.1.0", 1,
                ProviderStatus.State.ACTIVE, null);
        assertTrue(fly.isActive());
        assertEquals("active", fly.describe());
    }

    @Test
    public void anInactiveOrUnsatisfiedProviderSaysWhy() {
        ProviderStatus selinux = new ProviderStatus(ProviderKind.SECURITY_MODULE, "selinux",
                "org.bosun.security.selinux", "0.1.0", null, ProviderStatus.State.INACTIVE,
                "SELinux is not enabled on this host");
        assertFalse(selinux.isActive());
        assertEquals("inactive: SELinux is not enabled on this host", selinux.describe());
        ProviderStatus cni = new ProviderStatus(ProviderKind.NETWORK, "cni", "org.bosun.cni.networks", "0.1.0", null,
                ProviderStatus.State.UNSATISFIED, "missing org.bosun.cni.api.CniExecutor");
        assertEquals("unsatisfied: missing org.bosun.cni.api.CniExecutor", cni.describe());
    }

    @Test(expected = IllegalArgumentException.class)
    public void anActiveProviderHasNoReason() {
        new ProviderStatus(ProviderKind.ENGINE, "fly", "org.bosun.stage1.fly", "0.1.0", 1, ProviderStatus.State.ACTIVE,
                "but");
    }

    @Test(expected = IllegalArgumentException.class)
    public void anInactiveProviderHasAReason() {
        new ProviderStatus(ProviderKind.ENGINE, "fly", "org.bosun.stage1.fly", "0.1.0", 1,
                ProviderStatus.State.INACTIVE, null);
    }

    @Test
    public void everyKindHasItsOwnIdAndServiceInterface() {
        Set<String> ids = new HashSet<>();
        Set<Class<?>> types = new HashSet<>();
        for (ProviderKind<?> kind : ProviderKind.all()) {
            assertTrue(kind + " has its own id", ids.add(kind.id()));
            assertTrue(kind + " has its own service interface", types.add(kind.type()));
        }
        assertEquals("only engines have an ABI", Set.of(ProviderKind.ENGINE),
                ProviderKind.all().stream().filter(k -> k.abiProperty() != null).collect(java.util.stream.Collectors.toSet()));
        assertTrue(ProviderKind.SECURITY_MODULE.checksHost());
        assertFalse(ProviderKind.ENGINE.checksHost());
    }
}
