package org.bosun.security.seccomp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.host.files.FileTree;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

public class SeccompModuleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SeccompModule module = new SeccompModule();

    private static SecurityContext app(String flag, RuntimePaths paths, Set<InsecureOption> insecure,
            ImageManifest.Isolator... isolators) {
        return new SecurityContext(paths, "pod", "app", insecure,
                new AppSettings(null, null, false, null, null, null, flag, null, null),
                List.of(isolators), null, null);
    }

    private JsonNode profile(SecurityContext context) throws Exception {
        return JSON.readTree(module.contribute(context, SecurityPolicy.UNCONFINED).seccompProfile());
    }

    private static List<String> names(JsonNode profile) {
        List<String> names = new ArrayList<>();
        profile.path("syscalls").forEach(r -> r.path("names").forEach(n -> names.add(n.asText())));
        return names;
    }

    @Test
    public void theDefaultAllowsDockersSysAdminCallsOnlyToAnAppHoldingCapSysAdmin() throws Exception {
        SecurityPolicy withSysAdmin = SecurityPolicy.UNCONFINED.withCapabilities(Set.of("CAP_SYS_ADMIN", "CAP_KILL"));
        List<String> allowed = names(JSON.readTree(module.contribute(app(null, null, Set.of()), withSysAdmin)
                .seccompProfile()));
        for (String call : List.of("sethostname", "setdomainname", "mount", "umount2", "unshare", "setns")) {
            assertTrue(call, allowed.contains(call));
        }
        assertFalse(allowed.contains("reboot"));
        List<String> without = names(JSON.readTree(module.contribute(app(null, null, Set.of()),
                SecurityPolicy.UNCONFINED.withCapabilities(Set.of("CAP_KILL", "CAP_NET_ADMIN"))).seccompProfile()));
        for (String call : List.of("sethostname", "mount", "unshare", "setns")) {
            assertFalse(call, without.contains(call));
        }
    }

    @Test
    public void theDefaultIsAWhitelistRefusingWithEperm() throws Exception {
        JsonNode p = profile(app(null, null, Set.of()));
        assertEquals("SCMP_ACT_ERRNO", p.path("defaultAction").asText());
        assertEquals(1, p.path("defaultErrnoRet").asInt());
        assertEquals("SCMP_ACT_ALLOW", p.path("syscalls").get(0).path("action").asText());
        List<String> allowed = names(p);
        assertTrue(allowed.contains("read") && allowed.contains("statx"));
        for (String refused : List.of("mount", "umount2", "reboot", "init_module", "kexec_load", "ptrace", "keyctl")) {
            assertFalse(refused, allowed.contains(refused));
        }
        // Names of 32-bit ABIs in rkt's list are not x86_64 calls
        assertFalse(allowed.contains("chown32"));
    }

    @Test
    public void removeModeIsABlacklistWithTheChosenErrno() throws Exception {
        JsonNode p = profile(app("mode=remove,errno=ENOSYS,reboot,@docker/default-blacklist", null, Set.of()));
        assertEquals("SCMP_ACT_ALLOW", p.path("defaultAction").asText());
        JsonNode rule = p.path("syscalls").get(0);
        assertEquals("SCMP_ACT_ERRNO", rule.path("action").asText());
        assertEquals(38, rule.path("errnoRet").asInt());
        assertTrue(names(p).contains("kexec_load"));
    }

    @Test
    public void errnoSigsysKillsInstead() throws Exception {
        JsonNode p = profile(app("mode=retain,errno=SIGSYS,@rkt/default-whitelist", null, Set.of()));
        assertEquals("SCMP_ACT_KILL_PROCESS", p.path("defaultAction").asText());
    }

    /** rkt's seccomp guide: without errno, a blocked call kills the process with SIGSYS, for either set. */
    @Test
    public void aSetWithoutErrnoKillsTheProcess() throws Exception {
        JsonNode remove = profile(app("mode=remove,mkdir,mkdirat", null, Set.of()));
        assertEquals("SCMP_ACT_ALLOW", remove.path("defaultAction").asText());
        assertEquals("SCMP_ACT_KILL_PROCESS", remove.path("syscalls").get(0).path("action").asText());
        assertFalse(remove.path("syscalls").get(0).has("errnoRet"));
        JsonNode retain = profile(app("mode=retain,@rkt/default-whitelist", null, Set.of()));
        assertEquals("SCMP_ACT_KILL_PROCESS", retain.path("defaultAction").asText());
        JsonNode isolator = profile(app(null, null, Set.of(), new ImageManifest.Isolator(SeccompModule.REMOVE_SET,
                "{\"set\":[\"reboot\"]}")));
        assertEquals("SCMP_ACT_KILL_PROCESS", isolator.path("syscalls").get(0).path("action").asText());
        JsonNode byDefault = profile(app(null, null, Set.of()));
        assertEquals("bosun's default whitelist returns EPERM", "SCMP_ACT_ERRNO", byDefault.path("defaultAction").asText());
        assertEquals(1, byDefault.path("defaultErrnoRet").asInt());
    }

    @Test
    public void retainingAppcAllSwitchesSeccompOffAndSaysSo() {
        SecurityPolicy p = module.contribute(app("mode=retain,@appc.io/all", null, Set.of()), SecurityPolicy.UNCONFINED);
        assertNull(p.seccompProfile());
        assertEquals(Set.of(Protection.SECCOMP), p.protectionsOff());
    }

    @Test
    public void anUnknownSystemCallOrGroupIsRefusedByName() {
        BosunException call = assertThrows(BosunException.class, () -> profile(app("mode=remove,rebooot", null, Set.of())));
        assertTrue(call.getMessage(), call.getMessage().contains("'rebooot' is not a system call on x86_64"));
        BosunException group = assertThrows(BosunException.class, () -> profile(app("mode=remove,@rkt/nope", null, Set.of())));
        assertTrue(group.getMessage(), group.getMessage().contains("@rkt/nope"));
        BosunException mode = assertThrows(BosunException.class, () -> profile(app("reboot", null, Set.of())));
        assertTrue(mode.getMessage(), mode.getMessage().contains("no mode"));
    }

    @Test
    public void theImagesIsolatorApplies() throws Exception {
        JsonNode p = profile(app(null, null, Set.of(), new ImageManifest.Isolator(SeccompModule.REMOVE_SET,
                "{\"set\":[\"mkdir\"],\"errno\":\"EACCES\"}")));
        assertEquals(List.of("mkdir"), names(p));
        assertEquals(13, p.path("syscalls").get(0).path("errnoRet").asInt());
    }

    @Test
    public void aNamedProfileComesFromSeccompDLocalConfigurationFirst() throws Exception {
        Path dir = Files.createTempDirectory("seccomp-test");
        try {
            RuntimePaths paths = new RuntimePaths(dir.resolve("data"), dir.resolve("local"), dir.resolve("system"));
            Files.createDirectories(dir.resolve("local/seccomp.d"));
            Files.createDirectories(dir.resolve("system/seccomp.d"));
            Files.writeString(dir.resolve("system/seccomp.d/web.json"), "{\"defaultAction\":\"SCMP_ACT_KILL\"}");
            // Docker's format: "name", and a rule only for apps with CAP_SYS_ADMIN
            Files.writeString(dir.resolve("local/seccomp.d/web.json"), "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                    + "\"syscalls\":[{\"name\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"},"
                    + "{\"names\":[\"mount\",\"chown32\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}");
            JsonNode p = profile(app("profile=web", paths, Set.of()));
            assertEquals("SCMP_ACT_ERRNO", p.path("defaultAction").asText());
            assertEquals(List.of("read"), names(p));
            BosunException missing = assertThrows(BosunException.class, () -> profile(app("profile=none", paths, Set.of())));
            assertTrue(missing.getMessage(), missing.getMessage().contains("seccomp.d/none.json"));
        } finally {
            FileTree.delete(dir);
        }
    }

    /** The CRI's Localhost profiles: a Docker-format profile file of the host, by its absolute path. */
    @Test
    public void aProfileFileOfTheHostIsLoadedByItsPath() throws Exception {
        Path dir = Files.createTempDirectory("seccomp-file");
        try {
            Path file = dir.resolve("block-host-name.json");
            Files.writeString(file, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                    + "[\"sethostname\",\"setdomainname\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
            JsonNode p = profile(app("profile=" + file, null, Set.of()));
            assertEquals("SCMP_ACT_ALLOW", p.path("defaultAction").asText());
            assertEquals(List.of("sethostname", "setdomainname"), names(p));
            assertEquals("SCMP_ACT_ERRNO", p.path("syscalls").get(0).path("action").asText());
            BosunException missing = assertThrows(BosunException.class, () -> profile(app("profile=" + dir.resolve("none.json"),
                    null, Set.of())));
            assertTrue(missing.getMessage(), missing.getMessage().contains("no seccomp profile file " + dir.resolve("none.json")));
        } finally {
            FileTree.delete(dir);
        }
    }

    @Test
    public void insecureSeccompLeavesNoFilterAndIsRecorded() {
        SecurityPolicy p = module.contribute(app("mode=remove,reboot", null, Set.of(InsecureOption.SECCOMP)),
                SecurityPolicy.UNCONFINED);
        assertNull(p.seccompProfile());
        assertEquals(Set.of(Protection.SECCOMP), p.protectionsOff());
    }
}
