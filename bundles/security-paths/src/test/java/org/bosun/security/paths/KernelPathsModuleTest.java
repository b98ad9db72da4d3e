package org.bosun.security.paths;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityPolicy;
import org.junit.Test;

public class KernelPathsModuleTest {
    private final KernelPathsModule module = new KernelPathsModule();

    private SecurityPolicy policy(List<String> masked, List<String> readonly, Set<InsecureOption> insecure) {
        AppSettings settings = new AppSettings(null, null, false, null, null, null, null, null, null, null, masked,
                readonly, false);
        return module.contribute(new SecurityContext(null, "pod", "app", insecure, settings, List.of(), null, null),
                SecurityPolicy.UNCONFINED);
    }

    @Test
    public void anAppWithoutListsOfItsOwnGetsRktsKernelProtections() {
        SecurityPolicy p = policy(null, null, Set.of());
        assertEquals(KernelPathsModule.MASKED, p.maskedPaths());
        assertEquals(KernelPathsModule.READ_ONLY, p.readonlyPaths());
    }

    @Test
    public void anAppsOwnListsReplaceTheDefaultOnesEachOnItsOwn() {
        SecurityPolicy p = policy(List.of("/proc/kcore", "/proc/acpi", "/proc/kcore"), List.of(), Set.of());
        assertEquals(List.of("/proc/kcore", "/proc/acpi"), p.maskedPaths());
        assertEquals(KernelPathsModule.READ_ONLY, p.readonlyPaths());
        p = policy(null, List.of("/proc/sys"), Set.of());
        assertEquals(KernelPathsModule.MASKED, p.maskedPaths());
        assertEquals(List.of("/proc/sys"), p.readonlyPaths());
    }

    @Test
    public void insecurePathsWinsOverAnAppsLists() {
        SecurityPolicy p = policy(List.of("/proc/kcore"), List.of("/proc/sys"), Set.of(InsecureOption.PATHS));
        assertEquals(List.of(), p.maskedPaths());
        assertEquals(Set.of(Protection.PATHS), p.protectionsOff());
    }

    @Test
    public void aPathThatIsNotNormalAndAbsoluteIsRefusedByName() {
        for (String bad : List.of("proc/kcore", "/", "/proc/../etc", "/proc/./kcore", "/proc//kcore", "/proc/sys/",
                "/proc/k\ncore", "")) {
            BosunException e = assertThrows(bad, BosunException.class, () -> policy(List.of("/proc/kcore", bad),
                    null, Set.of()));
            assertTrue(e.getMessage(), e.getMessage().startsWith("app app: masked path '")
                    && e.getMessage().contains("not a normal absolute path"));
            assertTrue(e.getMessage(), e.getMessage().indexOf('\n') < 0);
        }
        BosunException e = assertThrows(BosunException.class, () -> policy(null, List.of("/proc/.."), Set.of()));
        assertTrue(e.getMessage(), e.getMessage().contains("read-only path '/proc/..'"));
    }
}
