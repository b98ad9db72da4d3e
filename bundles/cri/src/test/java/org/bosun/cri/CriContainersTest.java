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

    /** Each bosun app has a PID namespace of its own: a pod-shared one (pid POD, when given) is refused. */
    @Test
    public void aPodSharedPidNamespaceIsRefusedWhenAsked() {
        NamespaceOption pod = NamespaceOption.newBuilder().setPid(NamespaceMode.POD).build();
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(BosunException.class, () -> CriContainers.refuseUnsupported(
                container(security().setNamespaceOptions(pod)))).kind());
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(BosunException.class, () -> CriSandboxes.refuseUnsupported(
                LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(pod).build())).kind());
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(BosunException.class, () -> CriContainers.refuseUnsupported(
                container(security().setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.TARGET)))))
                .kind());
        NamespaceOption own = NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER).build();
        CriContainers.refuseUnsupported(container(security().setNamespaceOptions(own)));
        CriSandboxes.refuseUnsupported(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(own).build());
        // no namespace options at all (crictl's pod.json): nothing asked
        CriContainers.refuseUnsupported(container(security()));
        CriSandboxes.refuseUnsupported(LinuxSandboxSecurityContext.getDefaultInstance());
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
}
