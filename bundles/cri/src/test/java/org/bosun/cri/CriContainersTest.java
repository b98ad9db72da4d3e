package org.bosun.cri;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.Resources;
import org.bosun.cri.v1.HugepageLimit;
import org.bosun.cri.v1.LinuxContainerResources;
import org.junit.Test;

public class CriContainersTest {
    @Test
    public void aContainerIdNamesItsSandboxAndApp() {
        CriContainers.Id id = CriContainers.Id.parse("0d7c9a5e-1111-4000-8000-000000000000-main-0");
        assertEquals("0d7c9a5e-1111-4000-8000-000000000000", id.uuid());
        assertEquals("main-0", id.app());
        assertEquals("0d7c9a5e-1111-4000-8000-000000000000-main-0", id.id());
        assertEquals(ErrorKind.NOT_FOUND, assertThrows(BosunException.class, () -> CriContainers.Id.parse("abc")).kind());
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> CriContainers.Id.parse("")).kind());
    }

    @Test
    public void aLabelSelectorWantsEveryLabelWithItsValue() {
        assertTrue(CriContainers.selects(Map.of(), Map.of("a", "1")));
        assertTrue(CriContainers.selects(Map.of("a", "1"), Map.of("a", "1", "b", "2")));
        assertFalse(CriContainers.selects(Map.of("a", "1"), Map.of("a", "2")));
        assertFalse(CriContainers.selects(Map.of("c", ""), Map.of("a", "1")));
    }

    @Test
    public void resourcesMapToTheAppsAndWhatCannotBeDoneIsRefused() {
        Resources r = CriContainers.resources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(64 << 20)
                .setCpuQuota(50_000).setCpuPeriod(100_000).setCpuShares(512).setOomScoreAdj(100).build());
        assertEquals(new Resources(64L << 20, 500L, 512L, 100), r);
        assertEquals(Resources.NONE, CriContainers.resources(LinuxContainerResources.getDefaultInstance()));
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(BosunException.class, () -> CriContainers.resources(
                LinuxContainerResources.newBuilder().addHugepageLimits(HugepageLimit.newBuilder().setPageSize("2MB"))
                        .build())).kind());
    }

    @Test
    public void handlersAreEnginesAndAnUnknownOneIsInvalid() {
        CriHandlers handlers = new CriHandlers("crun");
        assertEquals(new CriHandlers.Engine("crun", "oci", Map.of("runtime", "crun")), handlers.engine(""));
        assertEquals("oci", handlers.engine("runc").stage1());
        assertEquals("nspawn", handlers.engine("nspawn").stage1());
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> handlers.engine("kata")).kind());
        assertThrows(BosunException.class, () -> new CriHandlers("gvisor"));
    }

    @Test
    public void aContainerNameThatIsADnsLabelIsTheAppsName() {
        assertEquals("web", CriContainers.appBase("web"));
        assertEquals("a-1", CriContainers.appBase("a-1"));
    }

    @Test
    public void anyOtherNameBecomesALabelOfItsOwn() {
        String critest = "container-for-execSync-test3f2b0a4e-f21d-11f1-8412-167b5809532b";
        String app = CriContainers.appBase(critest);
        assertTrue(app, app.matches("container-for-execsync-test3f2b0a4e-f21d-[0-9a-f]{8}"));
        assertEquals("the same name, the same app", app, CriContainers.appBase(critest));
        assertFalse("names differing past the cut stay apart",
                app.equals(CriContainers.appBase(critest.replace("532b", "532c"))));
        assertFalse("names differing in case stay apart", CriContainers.appBase("Web").equals(CriContainers.appBase("WEB")));
        assertTrue(CriContainers.appBase("__").matches("c-[0-9a-f]{8}"));
        assertTrue(CriContainers.appBase("-x-").matches("x-[0-9a-f]{8}"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> CriContainers.appBase("")).kind());
    }

    private static org.bosun.api.pod.PodInfo sandbox(String handler) {
        return new org.bosun.api.pod.PodInfo("0d7c9a5e-1111-4000-8000-000000000000", org.bosun.api.pod.PodState.RUNNING,
                java.util.List.of(), null, null, 0, null, Map.of(CriSandboxes.HANDLER, handler), null, java.util.List.of(),
                java.util.Set.of(), Map.of(), Map.of());
    }

    @Test
    public void aContainerWithATtyIsATerminalAppOnOciAndRefusedOnNspawn() {
        org.bosun.cri.v1.ContainerConfig tty = org.bosun.cri.v1.ContainerConfig.newBuilder().setTty(true).setStdin(true)
                .build();
        org.bosun.api.app.AppIo.Mode t = org.bosun.api.app.AppIo.Mode.TTY;
        for (String handler : new String[] {"runc", "crun"}) {
            assertEquals(new org.bosun.api.app.AppIo(t, t, t), CriContainers.io(tty, sandbox(handler)));
            assertEquals(new org.bosun.api.app.AppIo(t, t, t), CriContainers.io(tty.toBuilder().setStdin(false).build(),
                    sandbox(handler)));
        }
        assertEquals(org.bosun.api.app.AppIo.Mode.STREAM, CriContainers.io(tty.toBuilder().setTty(false).build(),
                sandbox("runc")).stdin());
        BosunException nspawn = assertThrows(BosunException.class, () -> CriContainers.io(tty, sandbox("nspawn")));
        assertEquals(ErrorKind.NOT_IMPLEMENTED, nspawn.kind());
        assertTrue(nspawn.getMessage(), nspawn.getMessage().contains("tty"));
    }
}
