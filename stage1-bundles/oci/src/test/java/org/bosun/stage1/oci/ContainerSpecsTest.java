package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.pod.Resources;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

public class ContainerSpecsTest {
    static final Path POD = Path.of("/var/lib/bosun/pods/prepared/1234");
    static final Path INIT = Path.of("/usr/bin/catatonit");
    static final String SECCOMP = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
            + "\"action\":\"SCMP_ACT_ERRNO\"}]}";

    static PodDirectory.App app(SecurityPolicy policy, Resources resources, List<PodDirectory.Mount> mounts) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/bin");
        env.put("AC_APP_NAME", "web");
        return new PodDirectory.App("web", POD.resolve("apps/web/rootfs"), List.of("/bin/sh", "-c", "echo hi"), env, 1000,
                100, "/srv", List.of(10, 20), mounts, true, resources, policy, null, null, null, null);
    }

    static PodDirectory pod(PodDirectory.App app, PodDirectory.Pod settings) {
        return new PodDirectory("1234", POD, List.of(app), Map.of(), settings);
    }

    static JsonNode json(OciSpec spec) throws Exception {
        return new ObjectMapper().readTree(ContainerSpecs.json(spec));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** rkt ran event handlers as root, before the app drops to its user and after it. */
    @Test
    public void theAppRunsAsItsUserAndItsHandlersAsRoot() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        ContainerSpecs configs = new ContainerSpecs(pod(app, null), 0, INIT, false);
        JsonNode own = json(configs.app(app, "app-web", app.exec())).path("process").path("user");
        assertEquals(1000, own.path("uid").asInt());
        assertEquals(100, own.path("gid").asInt());
        assertEquals("[10,20]", own.path("additionalGids").toString());
        for (String handler : List.of("pre-start-web", "post-stop-web")) {
            JsonNode user = json(configs.app(app, handler, List.of("/bin/setup"))).path("process").path("user");
            assertEquals(handler, "{\"uid\":0,\"gid\":0}", user.toString());
        }
    }

    /** The app container's poststart hook, run as runc and crun run it (in the bundle), records the start. */
    @Test
    public void theAppsStartIsRecordedByAPoststartHookAndAHandlersIsNot() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        ContainerSpecs configs = new ContainerSpecs(pod(app, null), 0, INIT, false);
        assertTrue(json(configs.app(app, "pre-start-web", List.of("/bin/setup"))).path("hooks").path("poststart")
                .isMissingNode());
        JsonNode hooks = json(configs.app(app, "app-web", app.exec())).path("hooks").path("poststart");
        assertEquals(1, hooks.size());
        Path pod = java.nio.file.Files.createTempDirectory("bosun-oci-hook");
        try {
            Path bundle = java.nio.file.Files.createDirectories(pod.resolve("engine/bundles/app-web"));
            java.nio.file.Files.createDirectories(pod.resolve("apps/web"));
            List<String> argv = new ArrayList<>(List.of(hooks.get(0).path("path").asText()));
            argv.addAll(strings(hooks.get(0).path("args")).subList(1, hooks.get(0).path("args").size()));
            Process p = new ProcessBuilder(argv).directory(bundle.toFile()).start();
            // the runtime writes the container's state to the hook, which reads it all: otherwise crun
            // fails the hook (EPIPE) and runc passes the SIGPIPE of its write on to the app (exit 141)
            try (var state = p.getOutputStream()) {
                state.write("{\"ociVersion\":\"1.0.2\",\"id\":\"app-web\",\"status\":\"running\"}".repeat(2000)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            assertEquals(0, p.waitFor());
            assertTrue(java.nio.file.Files.exists(pod.resolve("apps/web/started")));
            java.nio.file.Files.delete(pod.resolve("apps/web/started"));
            java.nio.file.Files.delete(pod.resolve("apps/web"));
            // never fails: a failing poststart hook makes runc kill the app
            Process again = new ProcessBuilder(argv).directory(bundle.toFile()).start();
            again.getOutputStream().close();
            assertEquals(0, again.waitFor());
        } finally {
            try (var walk = java.nio.file.Files.walk(pod)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    public void anAppsProcessHasItsCommandIdentityEnvironmentAndNoTerminal() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        assertEquals("1.0.2", c.path("ociVersion").asText());
        JsonNode p = c.path("process");
        assertFalse(p.path("terminal").asBoolean(true));
        assertEquals(List.of("/dev/.bosun-init", "--", "/bin/sh", "-c", "echo hi"), strings(p.path("args")));
        assertEquals(List.of("PATH=/bin", "AC_APP_NAME=web"), strings(p.path("env")));
        assertEquals("/srv", p.path("cwd").asText());
        assertEquals(1000, p.path("user").path("uid").asInt());
        assertEquals(100, p.path("user").path("gid").asInt());
        assertEquals(List.of("10", "20"), strings(p.path("user").path("additionalGids")));
        JsonNode nofile = p.path("rlimits").get(0);
        assertEquals("RLIMIT_NOFILE", nofile.path("type").asText());
        assertEquals(1024, nofile.path("hard").asInt());
        assertEquals(1024, nofile.path("soft").asInt());
    }

    @Test
    public void theAppRunsUnderTheHostsInitBoundReadOnlyOnItsDevTmpfs() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", List.of("/bin/true")));
        assertEquals(List.of("/dev/.bosun-init", "--", "/bin/true"), strings(c.path("process").path("args")));
        JsonNode init = null;
        for (JsonNode m : c.path("mounts")) {
            if (m.path("destination").asText().equals("/dev/.bosun-init")) {
                init = m;
            }
        }
        assertTrue("the init is bound into the container: " + c.path("mounts"), init != null);
        assertEquals("/usr/bin/catatonit", init.path("source").asText());
        assertEquals(List.of("bind", "ro", "nosuid", "nodev", "rprivate"), strings(init.path("options")));
    }

    @Test
    public void theRootfsIsRelativeToTheBundleSoThePodCanMove() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        assertEquals("../../../apps/web/rootfs", c.path("root").path("path").asText());
        assertTrue("readonlyRootfs", c.path("root").path("readonly").asBoolean());
    }

    /** The defaults are the core's (PolicyDefaults): the engine adds none of its own to what it is given. */
    @Test
    public void anAppGetsItsCapabilitiesInThreeSetsAndNoDefaultsOfTheEngine() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED.withCapabilities(Set.of("CAP_KILL")), null, null);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        JsonNode caps = c.path("process").path("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            assertEquals(set, List.of("CAP_KILL"), strings(caps.path(set)));
        }
        assertEquals(List.of(), strings(caps.path("inheritable")));
        assertEquals(List.of(), strings(caps.path("ambient")));
        assertFalse(c.path("process").path("noNewPrivileges").asBoolean(true));
        assertTrue(c.path("linux").path("maskedPaths").isArray());
        assertEquals(List.of(), strings(c.path("linux").path("maskedPaths")));
        assertEquals(List.of(), strings(c.path("linux").path("readonlyPaths")));
        assertTrue("no seccomp without a profile", c.path("linux").path("seccomp").isMissingNode());
    }

    @Test
    public void theSecurityPolicyReachesTheRuntimeUnchanged() throws Exception {
        SecurityPolicy policy = new SecurityPolicy(Set.of("CAP_CHOWN", "CAP_KILL"), true, SECCOMP, List.of("/proc/kcore"),
                List.of("/proc/sys"), List.of(), new SelinuxLabels("system_u:system_r:container_t:s0:c1,c2",
                        "system_u:object_r:container_file_t:s0:c1,c2"), Set.of(), false);
        PodDirectory.App app = app(policy, null, null);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        assertEquals(List.of("CAP_CHOWN", "CAP_KILL"), strings(c.path("process").path("capabilities").path("bounding")));
        assertTrue(c.path("process").path("noNewPrivileges").asBoolean());
        assertEquals(new ObjectMapper().readTree(SECCOMP), c.path("linux").path("seccomp"));
        assertEquals(List.of("/proc/kcore"), strings(c.path("linux").path("maskedPaths")));
        assertEquals(List.of("/proc/sys"), strings(c.path("linux").path("readonlyPaths")));
        assertEquals("system_u:system_r:container_t:s0:c1,c2", c.path("process").path("selinuxLabel").asText());
        assertEquals("system_u:object_r:container_file_t:s0:c1,c2", c.path("linux").path("mountLabel").asText());
    }

    /**
     * For crun the profile also goes compiled, in crun's annotation, which spares crun libseccomp;
     * runc gets only the section. A profile only libseccomp compiles exactly (an argument condition)
     * gets no annotation: crun compiles the section then.
     */
    @Test
    public void crunGetsTheSeccompProfileCompiledAsWellUnlessItHasArgumentConditions() throws Exception {
        SecurityPolicy policy = SecurityPolicy.UNCONFINED.withSeccompProfile(SECCOMP);
        PodDirectory.App app = app(policy, null, null);
        JsonNode crun = json(new ContainerSpecs(pod(app, null), 0, INIT, true).app(app, "app-web", app.exec()));
        assertEquals(new ObjectMapper().readTree(SECCOMP), crun.path("linux").path("seccomp"));
        byte[] program = java.util.Base64.getDecoder().decode(
                crun.path("annotations").path(SeccompOpts.SECCOMP_BPF_ANNOTATION).asText());
        assertEquals(org.bosun.seccomp.bpf.SeccompBpf.compile(SECCOMP).orElseThrow().length, program.length);
        assertTrue("whole sock_filter instructions", program.length > 0 && program.length % 8 == 0);

        JsonNode runc = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        assertTrue(runc.path("annotations").isMissingNode());

        String withArgs = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],"
                + "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}]}";
        PodDirectory.App conditional = app(SecurityPolicy.UNCONFINED.withSeccompProfile(withArgs), null, null);
        JsonNode c = json(new ContainerSpecs(pod(conditional, null), 0, INIT, true).app(conditional, "app-web",
                conditional.exec()));
        assertTrue(c.path("annotations").isMissingNode());
        assertEquals(new ObjectMapper().readTree(withArgs), c.path("linux").path("seccomp"));
    }

    @Test
    public void aMaskedAncestorOfTheAppsCgroupsIsMaskedEntryByEntrySoTheCgroupsStayVisible() {
        Map<String, List<String>> host = Map.of("/sys", List.of("fs", "kernel", "block"),
                "/sys/fs", List.of("cgroup", "bpf", "fuse"));
        assertEquals(List.of("/proc/kcore", "/sys/fs/bpf", "/sys/fs/fuse", "/sys/firmware"), MaskedPathOpts.maskedPaths(
                List.of("/proc/kcore", "/sys/fs", "/sys/firmware"), dir -> host.getOrDefault(dir, List.of())));
        assertEquals(List.of("/sys/block", "/sys/fs/bpf", "/sys/fs/fuse", "/sys/kernel"),
                MaskedPathOpts.maskedPaths(List.of("/sys/"), dir -> host.getOrDefault(dir, List.of())));
        assertEquals("a policy that masks the cgroups themselves is followed", List.of("/sys/fs/cgroup"),
                MaskedPathOpts.maskedPaths(List.of("/sys/fs/cgroup"), dir -> host.getOrDefault(dir, List.of())));
    }

    private static List<String> mountsOf(JsonNode c, String type) {
        List<String> out = new ArrayList<>();
        c.path("mounts").forEach(m -> {
            if (m.path("type").asText().equals(type)) {
                out.add(m.path("destination").asText() + " " + strings(m.path("options")));
            }
        });
        return out;
    }

    private static List<String> hookRules(JsonNode c) {
        List<String> args = strings(c.path("hooks").path("createRuntime").get(0).path("args"));
        return args.subList(5, args.size());
    }

    @Test
    public void aPrivilegedAppHasEveryDeviceTheHostsNodesAndWritableSysOthersNone() throws Exception {
        PodDirectory.App plain = app(SecurityPolicy.UNCONFINED, null, null);
        JsonNode c = json(new ContainerSpecs(pod(plain, null), 0, INIT, false).app(plain, "app-web", plain.exec()));
        assertTrue(mountsOf(c, "sysfs").toString(), mountsOf(c, "sysfs").get(0).endsWith(", ro]"));
        assertTrue(mountsOf(c, "cgroup").get(0).endsWith(", ro]"));
        List<String> nodes = MountOpts.hostDevices(Path.of("/dev"));
        assertTrue("no host device node: " + mountsOf(c, "bind"), mountsOf(c, "bind").stream()
                .noneMatch(m -> nodes.contains(m.substring(0, m.indexOf(' ')))));
        assertEquals(org.bosun.stage1.rules.AllowedDevices.DEFAULT.stream().map(r -> r.line()).toList(), hookRules(c));
        assertEquals(12, c.path("linux").path("resources").path("devices").size());

        PodDirectory.App privileged = app(SecurityPolicy.UNCONFINED.withHostDevices(true), null, null);
        c = json(new ContainerSpecs(pod(privileged, null), 0, INIT, false).app(privileged, "app-web",
                privileged.exec()));
        assertTrue(mountsOf(c, "sysfs").get(0).endsWith(", rw]"));
        assertTrue(mountsOf(c, "cgroup").get(0).endsWith(", rw]"));
        assertEquals(List.of("c *:* rwm", "b *:* rwm"), hookRules(c));
        JsonNode devices = c.path("linux").path("resources").path("devices");
        assertEquals(3, devices.size());
        assertFalse(devices.get(0).path("allow").asBoolean(true));
        assertTrue(devices.get(1).path("allow").asBoolean() && devices.get(1).path("major").isMissingNode());
        List<String> binds = mountsOf(c, "bind").stream().filter(m -> nodes.contains(m.substring(0, m.indexOf(' '))))
                .toList();
        assertEquals(nodes.size(), binds.size());
        assertFalse(nodes.contains("/dev/null"));
        assertTrue(nodes.stream().noneMatch(n -> n.startsWith("/dev/pts/") || n.startsWith("/dev/shm/")));
        for (String line : Files.readAllLines(Path.of("/proc/partitions"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[0].matches("\\d+") && Files.exists(Path.of("/dev", f[3]))) {
                assertTrue(f[3] + " in " + nodes, nodes.contains("/dev/" + f[3]));
            }
        }
    }

    @Test
    public void pathsSwitchedOffLeaveNothingMasked() throws Exception {
        SecurityPolicy policy = new SecurityPolicy(Set.of(), false, null, List.of(), List.of(), List.of(),
                SelinuxLabels.NONE, Set.of(Protection.PATHS), false);
        PodDirectory.App app = app(policy, null, null);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        assertEquals(List.of(), strings(c.path("linux").path("maskedPaths")));
        assertEquals(List.of(), strings(c.path("linux").path("readonlyPaths")));
    }

    @Test
    public void resourcesBecomeCgroupLimitsAndOomScoreAdjIsClampedToTheHostsMinimum() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, new Resources(64L << 20, 500L, 512L, -500), null);
        JsonNode c = json(new ContainerSpecs(pod(app, null), -100, INIT, false).app(app, "app-web", app.exec()));
        JsonNode r = c.path("linux").path("resources");
        assertEquals(64L << 20, r.path("memory").path("limit").asLong());
        assertEquals(50_000, r.path("cpu").path("quota").asLong());
        assertEquals(100_000, r.path("cpu").path("period").asLong());
        assertEquals(512, r.path("cpu").path("shares").asLong());
        assertFalse(r.path("devices").get(0).path("allow").asBoolean(true));
        assertEquals(-100, c.path("process").path("oomScoreAdj").asInt());
        assertEquals("/app-web", c.path("linux").path("cgroupsPath").asText());
    }

    @Test
    public void anAppJoinsThePodsNetworkByPathHasTheSupervisorsIpcAndUtsAndItsOwnPidMountAndCgroup() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        PodDirectory.Pod settings = new PodDirectory.Pod("pod1", Path.of("/run/netns/bosun-1234"), null, false, null, null);
        ContainerSpecs configs = new ContainerSpecs(pod(app, settings), 0, INIT, false);
        assertFalse("no user namespace, no infra container", ContainerSpecs.needsInfra(pod(app, settings)));
        JsonNode c = json(configs.app(app, "app-web", app.exec()));
        Map<String, String> ns = new LinkedHashMap<>();
        c.path("linux").path("namespaces").forEach(n -> ns.put(n.path("type").asText(), n.path("path").asText("")));
        // no IPC or UTS entry: the container keeps the runtime's, which are the supervisor's
        assertEquals(Map.of("pid", "", "mount", "", "cgroup", "", "network", "/run/netns/bosun-1234"), ns);
        assertTrue("the supervisor sets the pod's hostname, not each app", c.path("hostname").isMissingNode());
    }

    @Test
    public void withAUserNamespaceAnAppJoinsTheInfraNamespacesAndHasItsOwnPidMountAndCgroup() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        PodDirectory.Pod settings = new PodDirectory.Pod("pod1", Path.of("/run/netns/bosun-1234"), null, false, null,
                new IdMapping(0, 200_000, 65_536));
        ContainerSpecs configs = new ContainerSpecs(pod(app, settings), 0, INIT, false);
        assertTrue(ContainerSpecs.needsInfra(pod(app, settings)));
        JsonNode c = json(configs.app(app, "app-web", app.exec()));
        Map<String, String> ns = new LinkedHashMap<>();
        c.path("linux").path("namespaces").forEach(n -> ns.put(n.path("type").asText(), n.path("path").asText("")));
        // With a user namespace the network is the runtime's own (the pod's, entered first), not joined by path.
        assertEquals(Map.of("pid", "", "mount", "", "cgroup", "", "ipc", "/proc/@INFRA_PID@/ns/ipc",
                "uts", "/proc/@INFRA_PID@/ns/uts", "user", "/proc/@INFRA_PID@/ns/user"), ns);
        assertTrue("an app joining the pod's UTS namespace sets no hostname", c.path("hostname").isMissingNode());
        JsonNode uid = c.path("linux").path("uidMappings").get(0);
        assertEquals(0, uid.path("containerID").asLong());
        assertEquals(200_000, uid.path("hostID").asLong());
        assertEquals(65_536, uid.path("size").asLong());

        JsonNode infra = json(configs.infra(POD.resolve("engine/infra-rootfs")));
        assertEquals("pod1", infra.path("hostname").asText());
        assertEquals("../../infra-rootfs", infra.path("root").path("path").asText());
        Map<String, String> infraNs = new LinkedHashMap<>();
        infra.path("linux").path("namespaces").forEach(n -> infraNs.put(n.path("type").asText(), n.path("path").asText("")));
        assertEquals(Map.of("pid", "", "mount", "", "ipc", "", "uts", "", "user", ""), infraNs);
    }

    @Test
    public void withHostNetworkingNeitherInfraNorAppsHaveANetworkNamespace() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        ContainerSpecs configs = new ContainerSpecs(pod(app, null), 0, INIT, false);
        assertFalse(json(configs.app(app, "app-web", app.exec())).path("linux").path("namespaces").toString()
                .contains("network"));
        assertFalse(json(configs.infra(POD.resolve("engine/infra-rootfs"))).path("linux").path("namespaces").toString()
                .contains("network"));
    }

    @Test
    public void volumesAndThePodsDnsFilesAreBoundIntoTheApp() throws Exception {
        List<PodDirectory.Mount> mounts = List.of(new PodDirectory.Mount("data", POD.resolve("volumes/data"), "/data", false,
                false), new PodDirectory.Mount("host", Path.of("/srv/share"), "/share", true, true));
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, mounts);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        Map<String, JsonNode> byTarget = new LinkedHashMap<>();
        c.path("mounts").forEach(m -> byTarget.put(m.path("destination").asText(), m));
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
                "/dev/.bosun-init", "/data", "/share"), new ArrayList<>(byTarget.keySet()));
        assertEquals("../../../volumes/data", byTarget.get("/data").path("source").asText());
        assertEquals(List.of("bind", "rw", "rprivate"), strings(byTarget.get("/data").path("options")));
        assertEquals("/srv/share", byTarget.get("/share").path("source").asText());
        assertEquals(List.of("rbind", "ro", "rro", "rprivate"), strings(byTarget.get("/share").path("options")));
        assertTrue(strings(byTarget.get("/sys").path("options")).contains("ro"));
    }

    /**
     * A propagating volume is bound from its clone in the supervisor's namespace (engine/volumes/APP/N,
     * attached when the app starts) with the propagation asked, and the container's root is rslave, or
     * rshared as soon as one volume is; private volumes and apps without them leave the root alone.
     */
    @Test
    public void propagatingVolumesAreBoundFromTheirStagedCloneWithTheRootPropagationToMatch() throws Exception {
        List<PodDirectory.Mount> mounts = List.of(
                new PodDirectory.Mount("a", Path.of("/srv/a"), "/a", false, true, PodDirectory.Mount.RSLAVE),
                new PodDirectory.Mount("b", Path.of("/srv/b"), "/b", false, true, null),
                new PodDirectory.Mount("c", Path.of("/srv/c"), "/c", true, true, PodDirectory.Mount.RSHARED));
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, mounts);
        JsonNode c = json(new ContainerSpecs(pod(app, null), 0, INIT, false).app(app, "app-web", app.exec()));
        Map<String, JsonNode> byTarget = new LinkedHashMap<>();
        c.path("mounts").forEach(m -> byTarget.put(m.path("destination").asText(), m));
        assertEquals("../../volumes/web/0", byTarget.get("/a").path("source").asText());
        assertEquals(List.of("rbind", "rw", "rslave"), strings(byTarget.get("/a").path("options")));
        assertEquals("/srv/b", byTarget.get("/b").path("source").asText());
        assertEquals(List.of("rbind", "rw", "rprivate"), strings(byTarget.get("/b").path("options")));
        assertEquals("../../volumes/web/2", byTarget.get("/c").path("source").asText());
        assertEquals(List.of("rbind", "ro", "rro", "rshared"), strings(byTarget.get("/c").path("options")));
        assertEquals("rshared", c.path("linux").path("rootfsPropagation").asText());

        PodDirectory.App slave = app(SecurityPolicy.UNCONFINED, null, mounts.subList(0, 2));
        assertEquals("rslave", json(new ContainerSpecs(pod(slave, null), 0, INIT, false).app(slave, "app-web",
                slave.exec())).path("linux").path("rootfsPropagation").asText());
        PodDirectory.App none = app(SecurityPolicy.UNCONFINED, null, mounts.subList(1, 2));
        assertTrue(json(new ContainerSpecs(pod(none, null), 0, INIT, false).app(none, "app-web", none.exec()))
                .path("linux").path("rootfsPropagation").isMissingNode());
        assertEquals("staged " + POD.resolve("engine/volumes/web/0") + "\nstaged " + POD.resolve("engine/volumes/web/2")
                + "\n", VolumeStaging.planLines(pod(app, null), app));
    }

    @Test
    public void aTerminalOnlyWithInteractive() throws Exception {
        PodDirectory.App app = app(SecurityPolicy.UNCONFINED, null, null);
        PodDirectory.Pod settings = new PodDirectory.Pod(null, null, null, true, null, null);
        JsonNode c = json(new ContainerSpecs(pod(app, settings), 0, INIT, false).app(app, "app-web", app.exec()));
        assertTrue(c.path("process").path("terminal").asBoolean());
    }
}
