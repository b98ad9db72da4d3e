package org.bosun.cri;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.Resources;
import org.bosun.cri.v1.ContainerConfig;
import org.bosun.cri.v1.HugepageLimit;
import org.bosun.cri.v1.Int64Value;
import org.bosun.cri.v1.LinuxContainerConfig;
import org.bosun.cri.v1.LinuxContainerSecurityContext;
import org.bosun.cri.v1.LinuxSandboxSecurityContext;
import org.bosun.cri.v1.NamespaceMode;
import org.bosun.cri.v1.NamespaceOption;
import org.bosun.cri.v1.SecurityProfile;
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
    public void stdinOnceIsAStreamStdinAttachedToOnceAndATerminalKeepsItsInput() {
        org.bosun.api.app.AppIo once = CriContainers.io(ContainerConfig.newBuilder().setStdin(true).setStdinOnce(true)
                .build());
        assertEquals(org.bosun.api.app.AppIo.Mode.STREAM, once.stdin());
        assertTrue(once.stdinOnce());
        assertFalse(CriContainers.io(ContainerConfig.newBuilder().setStdin(true).build()).stdinOnce());
        org.bosun.api.app.AppIo noStdin = CriContainers.io(ContainerConfig.newBuilder().setStdinOnce(true).build());
        assertEquals(org.bosun.api.app.AppIo.Mode.NULL, noStdin.stdin());
        assertFalse(noStdin.stdinOnce());
        org.bosun.api.app.AppIo tty = CriContainers.io(ContainerConfig.newBuilder().setStdin(true).setStdinOnce(true)
                .setTty(true).build());
        assertTrue(tty.tty());
        assertFalse(tty.stdinOnce());
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

    private static LinuxContainerSecurityContext.Builder security() {
        return LinuxContainerSecurityContext.newBuilder();
    }

    /**
     * critest "seccomp unconfined", "default which is unconfined", localhost/profile: the CRI's unset
     * seccomp is Unconfined, which is the seccomp module's own "no filter" (@appc.io/all retained);
     * RuntimeDefault is bosun's default (no flag); the deprecated seccomp_profile_path counts too.
     */
    @Test
    public void seccompUnsetOrUnconfinedIsNoFilterAndRuntimeDefaultIsBosunsDefault() throws Exception {
        String off = "mode=retain,@appc.io/all";
        assertEquals(off, CriContainers.seccomp(security().build()));
        assertEquals(off, CriContainers.seccomp(security().setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Unconfined)).build()));
        assertEquals(off, CriContainers.seccomp(security().setSeccompProfilePath("unconfined").build()));
        assertNull(CriContainers.seccomp(security().setSeccomp(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.RuntimeDefault)).build()));
        assertNull(CriContainers.seccomp(security().setSeccompProfilePath("runtime/default").build()));
        assertNull(CriContainers.seccomp(security().setSeccompProfilePath("docker/default").build()));
        // the profile field wins over the deprecated path
        assertNull(CriContainers.seccomp(security().setSeccompProfilePath("unconfined").setSeccomp(SecurityProfile
                .newBuilder().setProfileType(SecurityProfile.ProfileType.RuntimeDefault)).build()));
    }

    @Test
    public void aLocalhostSeccompProfileIsTheModulesProfileFileAndABadOneIsRefused() throws Exception {
        Path file = Files.createTempFile("cri-seccomp", ".json");
        try {
            assertEquals("profile=" + file, CriContainers.seccomp(security().setSeccomp(SecurityProfile.newBuilder()
                    .setProfileType(SecurityProfile.ProfileType.Localhost).setLocalhostRef(file.toString())).build()));
            assertEquals("profile=" + file, CriContainers.seccomp(security().setSeccompProfilePath("localhost/" + file)
                    .build()));
            // critest "custom seccomp profile without using localhost/ as a prefix"
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> CriContainers.seccomp(
                    security().setSeccompProfilePath(file.toString()).build())).kind());
            assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> CriContainers.seccomp(
                    security().setSeccompProfilePath("localhost/relative.json").build())).kind());
        } finally {
            Files.delete(file);
        }
        BosunException missing = assertThrows(BosunException.class, () -> CriContainers.seccomp(security()
                .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Localhost)
                        .setLocalhostRef(file.toString())).build()));
        assertEquals(ErrorKind.INVALID_ARGUMENT, missing.kind());
        assertTrue(missing.getMessage(), missing.getMessage().contains(file.toString()));
    }

    private static ContainerConfig container(LinuxContainerSecurityContext.Builder security) {
        return ContainerConfig.newBuilder().setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(security))
                .build();
    }

    /** The CRI: "RunAsGroup should only be specified when RunAsUser or RunAsUsername is specified". */
    @Test
    public void runAsGroupWithoutAUserIsInvalid() {
        BosunException e = assertThrows(BosunException.class, () -> CriContainers.refuseUnsupported(container(
                security().setRunAsGroup(Int64Value.newBuilder().setValue(1002)))));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("run_as_group"));
        CriContainers.refuseUnsupported(container(security().setRunAsGroup(Int64Value.newBuilder().setValue(1002))
                .setRunAsUser(Int64Value.newBuilder().setValue(0))));
        CriContainers.refuseUnsupported(container(security().setRunAsGroup(Int64Value.newBuilder().setValue(1002))
                .setRunAsUsername("www-data")));
    }

    /** pid POD and CONTAINER are the sandbox's choice; TARGET is refused, for a container and a sandbox. */
    @Test
    public void aPodSharedPidNamespaceIsAcceptedAndTargetIsRefused() {
        NamespaceOption pod = NamespaceOption.newBuilder().setPid(NamespaceMode.POD).build();
        CriContainers.refuseUnsupported(container(security().setNamespaceOptions(pod)));
        CriSandboxes.refuseUnsupported(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(pod).build());
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(BosunException.class, () -> CriContainers.refuseUnsupported(
                container(security().setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.TARGET)))))
                .kind());
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> CriSandboxes.refuseUnsupported(
                LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                        .setPid(NamespaceMode.TARGET)).build())).kind());
        NamespaceOption own = NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER).build();
        CriContainers.refuseUnsupported(container(security().setNamespaceOptions(own)));
        CriSandboxes.refuseUnsupported(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(own).build());
        CriContainers.refuseUnsupported(container(security()));
        CriSandboxes.refuseUnsupported(LinuxSandboxSecurityContext.getDefaultInstance());
    }

    /** Only namespace options that are given ask for pid POD (the enum's zero): critest's host-network sandboxes do. */
    @Test
    public void aSandboxSharesPidOnlyWhenItsGivenNamespaceOptionsSayPod() {
        java.util.function.Function<NamespaceOption, org.bosun.cri.v1.PodSandboxConfig> config = ns -> {
            LinuxSandboxSecurityContext.Builder security = LinuxSandboxSecurityContext.newBuilder();
            if (ns != null) {
                security.setNamespaceOptions(ns);
            }
            return org.bosun.cri.v1.PodSandboxConfig.newBuilder().setLinux(org.bosun.cri.v1.LinuxPodSandboxConfig
                    .newBuilder().setSecurityContext(security)).build();
        };
        assertTrue(CriSandboxes.sharesPid(config.apply(NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE).build())));
        assertTrue(CriSandboxes.sharesPid(config.apply(NamespaceOption.newBuilder().setPid(NamespaceMode.POD).build())));
        assertFalse(CriSandboxes.sharesPid(config.apply(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER)
                .build())));
        assertFalse("nothing asked: bosun's own", CriSandboxes.sharesPid(config.apply(null)));
        assertFalse(CriSandboxes.sharesPid(org.bosun.cri.v1.PodSandboxConfig.getDefaultInstance()));
    }

    /** A container asking for the other PID namespace mode than its oci sandbox's is refused; nspawn's share anyway. */
    @Test
    public void aContainersPidModeMustBeItsOciSandboxs() {
        NamespaceOption pod = NamespaceOption.newBuilder().setPid(NamespaceMode.POD).build();
        NamespaceOption own = NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER).build();
        org.bosun.cri.v1.ContainerConfig podPid = container(security().setNamespaceOptions(pod));
        org.bosun.cri.v1.ContainerConfig ownPid = container(security().setNamespaceOptions(own));
        for (String handler : new String[] {"runc", "crun"}) {
            org.bosun.api.pod.PodInfo shared = sandbox(handler, CriSandboxes.PID_POD);
            org.bosun.api.pod.PodInfo separate = sandbox(handler, CriSandboxes.PID_CONTAINER);
            CriContainers.refusePidMismatch(podPid, shared);
            CriContainers.refusePidMismatch(ownPid, separate);
            CriContainers.refusePidMismatch(container(security()), shared);
            CriContainers.refusePidMismatch(container(security()), separate);
            BosunException wrongPod = assertThrows(BosunException.class, () -> CriContainers.refusePidMismatch(podPid,
                    separate));
            assertEquals(ErrorKind.INVALID_ARGUMENT, wrongPod.kind());
            assertTrue(wrongPod.getMessage(), wrongPod.getMessage().contains("make the sandbox with pid POD"));
            assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(BosunException.class,
                    () -> CriContainers.refusePidMismatch(ownPid, shared)).kind());
            assertFalse(CriSandboxes.sharesPid(sandbox(handler)));
        }
        CriContainers.refusePidMismatch(podPid, sandbox("nspawn", CriSandboxes.PID_CONTAINER));
        CriContainers.refusePidMismatch(ownPid, sandbox("nspawn", CriSandboxes.PID_POD));
    }

    private static org.bosun.api.pod.PodInfo sandbox(String handler, String pid) {
        return new org.bosun.api.pod.PodInfo("0d7c9a5e-1111-4000-8000-000000000000", org.bosun.api.pod.PodState.RUNNING,
                java.util.List.of(), null, null, 0, null, Map.of(CriSandboxes.HANDLER, handler,
                        CriSandboxes.PID_NAMESPACE, pid), null, java.util.List.of(), java.util.Set.of(), Map.of(), Map.of());
    }

    private static org.bosun.api.pod.PodInfo sandbox(String handler) {
        return new org.bosun.api.pod.PodInfo("0d7c9a5e-1111-4000-8000-000000000000", org.bosun.api.pod.PodState.RUNNING,
                java.util.List.of(), null, null, 0, null, Map.of(CriSandboxes.HANDLER, handler), null, java.util.List.of(),
                java.util.Set.of(), Map.of(), Map.of());
    }

    @Test
    public void aContainerWithATtyIsATerminalAppAndOneWithStdinAStreamOnEveryEngine() {
        // one mapping for every handler: nspawn's added apps have the same holder as oci's since issue 14
        org.bosun.cri.v1.ContainerConfig tty = org.bosun.cri.v1.ContainerConfig.newBuilder().setTty(true).setStdin(true)
                .build();
        org.bosun.api.app.AppIo.Mode t = org.bosun.api.app.AppIo.Mode.TTY;
        org.bosun.api.app.AppIo.Mode s = org.bosun.api.app.AppIo.Mode.STREAM;
        assertEquals(new org.bosun.api.app.AppIo(t, t, t), CriContainers.io(tty));
        assertEquals(new org.bosun.api.app.AppIo(t, t, t), CriContainers.io(tty.toBuilder().setStdin(false).build()));
        assertEquals(new org.bosun.api.app.AppIo(s, s, s), CriContainers.io(tty.toBuilder().setTty(false).build()));
        assertEquals(new org.bosun.api.app.AppIo(org.bosun.api.app.AppIo.Mode.NULL, s, s),
                CriContainers.io(org.bosun.cri.v1.ContainerConfig.getDefaultInstance()));
    }

    private static CriContainers.Caps caps(java.util.List<String> add, java.util.List<String> drop) {
        return CriContainers.capabilities(org.bosun.cri.v1.Capability.newBuilder().addAllAddCapabilities(add)
                .addAllDropCapabilities(drop).build());
    }

    @Test
    public void addedCapabilitiesGoOnTheDefaultSetAndDropWinsOverAddAsInContainerd() {
        CriContainers.Caps c = caps(java.util.List.of("SYS_ADMIN", "net_admin"), java.util.List.of("CHOWN"));
        assertTrue(c.retain().isEmpty());
        assertEquals(java.util.List.of("CAP_CHOWN"), c.remove());
        assertEquals(java.util.List.of("CAP_SYS_ADMIN", "CAP_NET_ADMIN"), c.add());
        c = caps(java.util.List.of("NET_RAW", "SYS_TIME"), java.util.List.of("NET_RAW"));
        assertEquals("a capability both added and dropped is dropped", java.util.List.of("CAP_SYS_TIME"), c.add());
        assertEquals(java.util.List.of("CAP_NET_RAW"), c.remove());
    }

    @Test
    public void addAllGivesEveryCapabilityButTheDroppedOnesAndDropAllWinsOverIt() {
        CriContainers.Caps c = caps(java.util.List.of("ALL"), java.util.List.of("CHOWN"));
        assertEquals(org.bosun.host.HostCapabilities.BY_NUMBER.size() - 1, c.retain().size());
        assertFalse(c.retain().contains("CAP_CHOWN"));
        assertTrue(c.retain().contains("CAP_SYS_ADMIN"));
        assertEquals(org.bosun.host.HostCapabilities.BY_NUMBER.size(),
                caps(java.util.List.of("all"), java.util.List.of()).retain().size());
        assertEquals(java.util.List.of("CAP_CHOWN"),
                caps(java.util.List.of("CHOWN"), java.util.List.of("ALL")).retain());
        c = caps(java.util.List.of("ALL"), java.util.List.of("ALL"));
        assertTrue("drop ALL and add ALL: none", c.retain().isEmpty());
        assertEquals(org.bosun.host.HostCapabilities.BY_NUMBER, c.remove());
        assertEquals(org.bosun.host.HostCapabilities.BY_NUMBER,
                caps(java.util.List.of("CHOWN"), java.util.List.of("ALL", "CHOWN")).remove());
    }

    @Test
    public void maskedAndReadOnlyPathsAreNoLongerRefused() {
        CriContainers.refuseUnsupported(ContainerConfig.newBuilder().setLinux(LinuxContainerConfig.newBuilder()
                .setSecurityContext(LinuxContainerSecurityContext.newBuilder().addMaskedPaths("/proc/kcore")
                        .addReadonlyPaths("/proc/sys"))).build());
    }

    @Test
    public void aPrivilegedContainerNeedsAPrivilegedSandbox() {
        ContainerConfig privileged = ContainerConfig.newBuilder().setLinux(LinuxContainerConfig.newBuilder()
                .setSecurityContext(LinuxContainerSecurityContext.newBuilder().setPrivileged(true))).build();
        org.bosun.api.pod.PodInfo plain = sandbox("runc");
        BosunException e = assertThrows(BosunException.class,
                () -> CriContainers.refuseUnprivilegedSandbox(privileged, plain));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("needs a privileged sandbox"));
        CriContainers.refuseUnsupported(privileged); // no longer refused as such
        org.bosun.api.pod.PodInfo privilegedSandbox = new org.bosun.api.pod.PodInfo(plain.uuid(), plain.state(),
                java.util.List.of(), null, null, 0, null, Map.of(CriSandboxes.HANDLER, "runc", CriSandboxes.PRIVILEGED,
                        "true"), null, java.util.List.of(), java.util.Set.of(), Map.of(), Map.of());
        CriContainers.refuseUnprivilegedSandbox(privileged, privilegedSandbox);
        CriContainers.refuseUnprivilegedSandbox(ContainerConfig.getDefaultInstance(), plain);
        assertFalse(CriSandboxes.isPrivileged(plain));
    }
}
