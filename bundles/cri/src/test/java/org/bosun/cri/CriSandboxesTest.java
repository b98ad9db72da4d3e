package org.bosun.cri;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodState;
import org.bosun.cri.v1.ContainerConfig;
import org.bosun.cri.v1.LinuxContainerConfig;
import org.bosun.cri.v1.LinuxContainerSecurityContext;
import org.bosun.cri.v1.LinuxPodSandboxConfig;
import org.bosun.cri.v1.LinuxSandboxSecurityContext;
import org.bosun.cri.v1.NamespaceMode;
import org.bosun.cri.v1.NamespaceOption;
import org.bosun.cri.v1.PodSandboxConfig;
import org.junit.Test;

/** The sandbox's namespace options and sysctls as the pod's options. */
public class CriSandboxesTest {
    /** No CNI configuration directory: sandboxes not in the host's network get bosun's default network. */
    private static final CriNetwork NO_CNI_CONFIG = new CriNetwork(java.nio.file.Path.of("/nonexistent/bosun-test-cni"));

    private static org.bosun.api.pod.PodOptions options(PodSandboxConfig config, CriHandlers.Engine engine) {
        return CriSandboxes.options(config, engine, NO_CNI_CONFIG);
    }

    private static final CriHandlers HANDLERS = new CriHandlers("runc");

    private static PodSandboxConfig config(NamespaceOption ns, Map<String, String> sysctls) {
        return PodSandboxConfig.newBuilder().setLinux(LinuxPodSandboxConfig.newBuilder().putAllSysctls(sysctls)
                .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(ns))).build();
    }

    private static NamespaceOption ns(NamespaceMode pid, NamespaceMode ipc) {
        return NamespaceOption.newBuilder().setPid(pid).setIpc(ipc).build();
    }

    @Test
    public void ipcNodeIsTheHostsIpcNamespaceOnEveryHandler() {
        for (String handler : List.of("runc", "crun", "nspawn")) {
            PodOptions host = options(config(ns(NamespaceMode.CONTAINER, NamespaceMode.NODE), Map.of()),
                    HANDLERS.engine(handler));
            assertEquals(handler, PodOptions.IPC_PARENT, host.ipc());
            PodOptions own = options(config(ns(NamespaceMode.CONTAINER, NamespaceMode.POD), Map.of()),
                    HANDLERS.engine(handler));
            assertEquals(handler, PodOptions.IPC_PRIVATE, own.ipc());
        }
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> options(
                config(ns(NamespaceMode.CONTAINER, NamespaceMode.TARGET), Map.of()), HANDLERS.engine("runc"))).kind());
    }

    @Test
    public void pidNodeIsTheOciEnginesPidHostAndNspawnRefusesIt() {
        for (String handler : List.of("runc", "crun")) {
            PodOptions options = options(config(ns(NamespaceMode.NODE, NamespaceMode.POD), Map.of()),
                    HANDLERS.engine(handler));
            assertEquals(Map.of("runtime", handler, "pid", "host"), options.engineOptions());
            assertEquals(Map.of("runtime", handler, "pid", "pod"), options(config(ns(NamespaceMode.POD,
                    NamespaceMode.POD), Map.of()), HANDLERS.engine(handler)).engineOptions());
            assertNull(options(config(ns(NamespaceMode.CONTAINER, NamespaceMode.POD), Map.of()),
                    HANDLERS.engine(handler)).engineOptions().get("pid"));
        }
        BosunException nspawn = assertThrows(BosunException.class, () -> options(
                config(ns(NamespaceMode.NODE, NamespaceMode.POD), Map.of()), HANDLERS.engine("nspawn")));
        assertEquals(ErrorKind.NOT_IMPLEMENTED, nspawn.kind());
        assertTrue(nspawn.getMessage(), nspawn.getMessage().contains("nspawn"));
        assertTrue(CriSandboxes.hostPid(config(ns(NamespaceMode.NODE, NamespaceMode.POD), Map.of())));
        assertFalse(CriSandboxes.hostPid(PodSandboxConfig.getDefaultInstance()));
    }

    /** The sysctls go to the pod's options as they are; the core checks them (PodSysctlsTest). */
    @Test
    public void sysctlsAreThePodsInKeyOrder() {
        PodOptions options = options(config(ns(NamespaceMode.POD, NamespaceMode.POD),
                Map.of("net.ipv4.ip_forward", "1", "kernel.shmmax", "1000000")), HANDLERS.engine("crun"));
        assertEquals(List.of("kernel.shmmax", "net.ipv4.ip_forward"), List.copyOf(options.sysctls().keySet()));
        assertEquals("1", options.sysctls().get("net.ipv4.ip_forward"));
        assertTrue(options(PodSandboxConfig.getDefaultInstance(), HANDLERS.engine("nspawn")).sysctls()
                .isEmpty());
    }

    /** A container of a pid NODE sandbox asks for pid NODE, and only those do. */
    @Test
    public void aContainerIsInTheHostsPidNamespaceExactlyWhenItsSandboxIs() {
        ContainerConfig node = container(NamespaceMode.NODE);
        ContainerConfig own = container(NamespaceMode.CONTAINER);
        ContainerConfig pod = container(NamespaceMode.POD);
        CriContainers.refuseUnsupported(node);
        for (String handler : List.of("runc", "crun")) {
            PodInfo host = sandbox(handler, CriSandboxes.PID_NODE);
            assertTrue(CriSandboxes.hostPid(host));
            CriContainers.refusePidMismatch(node, host);
            CriContainers.refusePidMismatch(ContainerConfig.getDefaultInstance(), host);
            for (ContainerConfig other : List.of(own, pod)) {
                BosunException e = assertThrows(BosunException.class, () -> CriContainers.refusePidMismatch(other, host));
                assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
                assertTrue(e.getMessage(), e.getMessage().contains("give pid NODE"));
            }
            for (String mode : List.of(CriSandboxes.PID_POD, CriSandboxes.PID_CONTAINER)) {
                BosunException e = assertThrows(BosunException.class,
                        () -> CriContainers.refusePidMismatch(node, sandbox(handler, mode)));
                assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            }
        }
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class,
                () -> CriContainers.refusePidMismatch(node, sandbox("nspawn", CriSandboxes.PID_POD))).kind());
    }

    private static ContainerConfig container(NamespaceMode pid) {
        return ContainerConfig.newBuilder().setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
                LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(NamespaceOption.newBuilder().setPid(pid))))
                .build();
    }

    private static PodInfo sandbox(String handler, String pid) {
        return new PodInfo("0d7c9a5e-1111-4000-8000-000000000000", PodState.RUNNING, List.of(), null, null, 0, null,
                Map.of(CriSandboxes.HANDLER, handler, CriSandboxes.PID_NAMESPACE, pid), null, List.of(), Set.of(),
                Map.of(), Map.of());
    }
}
