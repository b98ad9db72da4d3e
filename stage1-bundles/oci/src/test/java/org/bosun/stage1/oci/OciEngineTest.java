package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class OciEngineTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private PodDirectory pod(Path dir, String runtime, Path netns, IdMapping users) {
        PodDirectory.App app = new PodDirectory.App("web", dir.resolve("apps/web/rootfs"), List.of("/bin/true"), Map.of(),
                0, 0, "/", List.of(), List.of(), false, null, SecurityPolicy.UNCONFINED, null, null, null, null);
        PodDirectory.Pod settings = new PodDirectory.Pod(null, netns, null, false, Map.of("runtime", runtime), users);
        return new PodDirectory("1234", dir, List.of(app), Map.of(), settings);
    }

    @Test
    public void aPodWithAUserNamespaceEntersItsNetworkBeforeTheRuntimeCreatesTheUserNamespace() throws Exception {
        Path dir = tmp.newFolder("pod").toPath();
        PodDirectory pod = pod(dir, "runc", Path.of("/run/netns/bosun-1234"), new IdMapping(0, 300_000, 65_536));
        List<String> argv = new OciEngine().run(pod).argv();
        assertEquals(List.of(OciEngine.NSENTER, "--net=/run/netns/bosun-1234", "--", SupervisorScript.SH), argv.subList(0, 4));
        PodDirectory withoutUsers = pod(dir, "runc", Path.of("/run/netns/bosun-1234"), null);
        assertEquals(SupervisorScript.SH, new OciEngine().run(withoutUsers).argv().get(0));
    }

    @Test
    public void aPrivateUsersPodBelowADirectoryOthersCannotSearchIsRefusedNamingIt() throws Exception {
        Path dir = tmp.newFolder("private", "pod").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        java.nio.file.Files.setPosixFilePermissions(dir.getParent(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        PodDirectory pod = pod(dir, "runc", null, new IdMapping(0, 300_000, 65_536));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> new OciEngine().prepare(pod));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("chmod o+x " + dir.getParent()));
        assertEquals("nothing written", List.of(dir.resolve("apps")), java.nio.file.Files.list(dir).toList());
    }

    /** What differs from pod to pod is in the plan; the scripts are the bundle's, unchanged. */
    @Test
    public void prepareWritesTheEnginesOwnScriptsAndThePodsPlan() throws Exception {
        Path dir = tmp.newFolder("plain").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        PodDirectory pod = pod(dir, "crun", null, null);
        new OciEngine().prepare(pod);
        Path engine = dir.resolve("engine");
        for (String script : SupervisorScript.SCRIPTS) {
            assertEquals(script, SupervisorScript.text(script), java.nio.file.Files.readString(engine.resolve(script)));
            org.junit.Assert.assertTrue(script, java.nio.file.Files.isExecutable(engine.resolve(script)));
        }
        List<String> plan = java.nio.file.Files.readAllLines(engine.resolve("plan"));
        org.junit.Assert.assertTrue(plan.toString(), plan.containsAll(List.of("pod-cgroup bosun-1234", "infra 0",
                "runtime crun", "runtime-binary " + OciRuntime.CRUN.path(), "stop-timeout 10", "interactive 0",
                "log-max-bytes 1048576", "log-keep 5", "app web")));
        org.junit.Assert.assertTrue(java.nio.file.Files.isRegularFile(engine.resolve("bundles/app-web/config.json")));
    }

    /** The infra container's pid is known only when the pod runs: the apps' specs are templates the supervisor completes. */
    @Test
    public void aPodWithAUserNamespaceGetsTemplatesForTheContainersThatJoinTheInfraContainer() throws Exception {
        Path dir = tmp.newFolder("userns").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        // the runtime works as the pod's unprivileged root: every parent searchable
        java.nio.file.Files.setPosixFilePermissions(tmp.getRoot().toPath(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        PodDirectory pod = pod(dir, "runc", null, new IdMapping(0, 300_000, 65_536));
        new OciEngine().prepare(pod);
        Path bundles = dir.resolve("engine/bundles");
        org.junit.Assert.assertTrue(java.nio.file.Files.isRegularFile(bundles.resolve("infra/config.json")));
        org.junit.Assert.assertTrue(java.nio.file.Files.readString(bundles.resolve("app-web/config.json.in"))
                .contains("\"/proc/@INFRA_PID@/ns/user\""));
        org.junit.Assert.assertFalse(java.nio.file.Files.exists(bundles.resolve("app-web/config.json")));
        List<String> plan = java.nio.file.Files.readAllLines(dir.resolve("engine/plan"));
        org.junit.Assert.assertTrue(plan.toString(), plan.containsAll(List.of("infra 1",
                "infra-config engine/bundles/app-web/config.json.in")));
    }

    private PodDirectory podWithOptions(Path dir, Map<String, String> options, IdMapping users) {
        PodDirectory.App app = new PodDirectory.App("web", dir.resolve("apps/web/rootfs"), List.of("/bin/true"), Map.of(),
                0, 0, "/", List.of(), List.of(), false, null, SecurityPolicy.UNCONFINED, null, null, null, null);
        return new PodDirectory("1234", dir, List.of(app), Map.of(),
                new PodDirectory.Pod(null, null, null, false, options, users));
    }

    /** pid=pod: the apps' specs are templates naming the PID namespace holder, which the plan names. */
    @Test
    public void aPodWhoseAppsShareAPidNamespaceGetsTemplatesNamingItsHolder() throws Exception {
        Path dir = tmp.newFolder("pidpod").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        new OciEngine().prepare(podWithOptions(dir, Map.of("runtime", "runc", "pid", "pod"), null));
        Path bundles = dir.resolve("engine/bundles");
        org.junit.Assert.assertTrue(java.nio.file.Files.readString(bundles.resolve("app-web/config.json.in"))
                .contains("\"/proc/@PID_HOLDER@/ns/pid\""));
        org.junit.Assert.assertFalse(java.nio.file.Files.exists(bundles.resolve("app-web/config.json")));
        org.junit.Assert.assertFalse("no infra container", java.nio.file.Files.exists(bundles.resolve("infra")));
        List<String> plan = java.nio.file.Files.readAllLines(dir.resolve("engine/plan"));
        org.junit.Assert.assertTrue(plan.toString(), plan.containsAll(List.of("infra 0", "pid-namespace pod",
                "pid-holder " + AppInit.find(), "infra-config engine/bundles/app-web/config.json.in")));
    }

    /** pid=app is the default: no holder, plain configs. */
    @Test
    public void aPodWithPidAppHasNoHolder() throws Exception {
        Path dir = tmp.newFolder("pidapp").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        new OciEngine().prepare(podWithOptions(dir, Map.of("pid", "app"), null));
        org.junit.Assert.assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("engine/bundles/app-web/config.json")));
        List<String> plan = java.nio.file.Files.readAllLines(dir.resolve("engine/plan"));
        org.junit.Assert.assertTrue(plan.toString(), plan.stream().noneMatch(l -> l.startsWith("pid-")));
    }

    @Test
    public void anUnknownPidOptionIsRefusedInOneLineBeforeAnythingIsWritten() throws Exception {
        Path dir = tmp.newFolder("pidbad").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> new OciEngine().prepare(podWithOptions(dir, Map.of("pid", "node"), null)));
        assertEquals("--stage1-option=pid=node is not app (a PID namespace per app), pod (one shared by the pod's"
                + " apps) or host (the host's)", e.getMessage());
        assertEquals("nothing written", List.of(dir.resolve("apps")), java.nio.file.Files.list(dir).toList());
    }

    /**
     * pid=host: the apps' specs name no PID namespace (so the runtime's, the host's) and no holder;
     * everything else of the app's spec is as with pid=app.
     */
    @Test
    public void aPodInTheHostsPidNamespaceNamesNoPidNamespaceAndKeepsTheRest() throws Exception {
        Path dir = tmp.newFolder("pidhost").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        new OciEngine().prepare(podWithOptions(dir, Map.of("runtime", "crun", "pid", "host"), null));
        Path config = dir.resolve("engine/bundles/app-web/config.json");
        com.fasterxml.jackson.databind.JsonNode spec = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile());
        List<String> types = new java.util.ArrayList<>();
        spec.path("linux").path("namespaces").forEach(n -> types.add(n.path("type").asText()));
        assertEquals(List.of("mount", "cgroup"), types);
        List<String> plan = java.nio.file.Files.readAllLines(dir.resolve("engine/plan"));
        org.junit.Assert.assertTrue(plan.toString(), plan.stream().noneMatch(l -> l.startsWith("pid-")));

        Path appDir = tmp.newFolder("pidapp2").toPath();
        java.nio.file.Files.createDirectories(appDir.resolve("apps/web/rootfs"));
        new OciEngine().prepare(podWithOptions(appDir, Map.of("runtime", "crun"), null));
        com.fasterxml.jackson.databind.node.ObjectNode own = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(appDir.resolve("engine/bundles/app-web/config.json")
                        .toFile());
        com.fasterxml.jackson.databind.node.ObjectNode host = ((com.fasterxml.jackson.databind.node.ObjectNode) spec).deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) own.path("linux")).remove("namespaces");
        ((com.fasterxml.jackson.databind.node.ObjectNode) host.path("linux")).remove("namespaces");
        assertEquals("capabilities, seccomp, masked and read-only paths as with a PID namespace of its own",
                own.toString().replace(appDir.toString(), "POD"), host.toString().replace(dir.toString(), "POD"));
    }

    @Test
    public void theHostsPidNamespaceWithAUserNamespaceIsRefused() throws Exception {
        Path dir = tmp.newFolder("pidhostusers").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> new OciEngine().prepare(podWithOptions(dir, Map.of("pid", "host"), new IdMapping(0, 300_000, 65_536))));
        assertEquals(org.bosun.api.ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("nothing written", List.of(dir.resolve("apps")), java.nio.file.Files.list(dir).toList());
    }

    /** The sysctls are the supervisor's, in order, with the network namespace it sets the net.* ones in. */
    @Test
    public void thePlanNamesTheSysctlsAndTheNetworkNamespace() throws Exception {
        Path dir = tmp.newFolder("sysctls").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        Map<String, String> sysctls = new java.util.LinkedHashMap<>();
        sysctls.put("net.ipv4.ip_local_port_range", "1024 65000");
        sysctls.put("kernel.shmmax", "1000000");
        PodDirectory.App app = new PodDirectory.App("web", dir.resolve("apps/web/rootfs"), List.of("/bin/true"), Map.of(),
                0, 0, "/", List.of(), List.of(), false, null, SecurityPolicy.UNCONFINED, null, null, null, null);
        new OciEngine().prepare(new PodDirectory("1234", dir, List.of(app), Map.of(), new PodDirectory.Pod(null,
                Path.of("/run/netns/bosun-1234"), null, false, Map.of("runtime", "runc"), null, false, sysctls)));
        List<String> plan = java.nio.file.Files.readAllLines(dir.resolve("engine/plan"));
        List<String> lines = plan.stream().filter(l -> l.startsWith("sysctl ") || l.startsWith("netns ")).toList();
        assertEquals(List.of("netns /run/netns/bosun-1234", "sysctl net.ipv4.ip_local_port_range 1024 65000",
                "sysctl kernel.shmmax 1000000"), lines);
        Path users = tmp.newFolder("sysctlusers").toPath();
        java.nio.file.Files.createDirectories(users.resolve("apps/web/rootfs"));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> new OciEngine().prepare(new PodDirectory("1234", users, List.of(app), Map.of(), new PodDirectory.Pod(
                        null, null, null, false, Map.of(), new IdMapping(0, 300_000, 65_536), false,
                        Map.of("kernel.shmmax", "1")))));
        assertEquals(org.bosun.api.ErrorKind.NOT_IMPLEMENTED, e.kind());
    }

    /** pid=pod with a user namespace: the apps join the infra's user namespace and the holder's PID namespace. */
    @Test
    public void aSharedPidNamespaceWithAUserNamespaceGetsTemplatesNamingTheInfraAndTheHolder() throws Exception {
        Path dir = tmp.newFolder("pidusers").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        java.nio.file.Files.setPosixFilePermissions(tmp.getRoot().toPath(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        new OciEngine().prepare(podWithOptions(dir, Map.of("pid", "pod"), new IdMapping(0, 300_000, 65_536)));
        String spec = java.nio.file.Files.readString(dir.resolve("engine/bundles/app-web/config.json.in"));
        org.junit.Assert.assertTrue(spec, spec.contains("\"/proc/@PID_HOLDER@/ns/pid\"")
                && spec.contains("\"/proc/@INFRA_PID@/ns/user\""));
        List<String> plan = java.nio.file.Files.readAllLines(dir.resolve("engine/plan"));
        org.junit.Assert.assertTrue(plan.toString(), plan.containsAll(List.of("infra 1", "pid-namespace pod")));
    }

    /** An app added to a sandbox with a user namespace: a template the supervisor completes with the infra's pid. */
    @Test
    public void anAppAddedToASandboxWithAUserNamespaceJoinsTheInfraContainer() throws Exception {
        Path dir = tmp.newFolder("sandbox").toPath();
        java.nio.file.Files.setPosixFilePermissions(tmp.getRoot().toPath(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        IdMapping users = new IdMapping(0, 300_000, 65_536);
        Map<String, String> sandbox = Map.of(org.bosun.api.app.AppLifecycle.EXIT_POLICY,
                org.bosun.api.app.AppLifecycle.EXIT_POLICY_NEVER);
        PodDirectory.Pod settings = new PodDirectory.Pod(null, null, null, false, Map.of("runtime", "runc"), users);
        new OciEngine().prepare(new PodDirectory("1234", dir, List.of(), sandbox, settings));
        org.junit.Assert.assertTrue("the sandbox has its infra container from the start",
                java.nio.file.Files.isRegularFile(dir.resolve("engine/bundles/infra/config.json")));
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        PodDirectory.App app = new PodDirectory.App("web", dir.resolve("apps/web/rootfs"), List.of("/bin/true"), Map.of(),
                0, 0, "/", List.of(), List.of(), false, null, SecurityPolicy.UNCONFINED.withUidMappings(List.of(users)),
                null, null, null, null);
        new OciEngine().add(new PodDirectory("1234", dir, List.of(app), sandbox, settings), "web");
        Path bundles = dir.resolve("engine/bundles");
        String spec = java.nio.file.Files.readString(bundles.resolve("app-web/config.json.in"));
        org.junit.Assert.assertTrue(spec, spec.contains("\"/proc/@INFRA_PID@/ns/user\"")
                && spec.contains("\"hostID\" : 300000"));
        org.junit.Assert.assertFalse(java.nio.file.Files.exists(bundles.resolve("app-web/config.json")));
    }

    @Test
    public void anAppWhoseNameIsNotAnAcNameIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path dir = tmp.newFolder("badname").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        PodDirectory.App app = new PodDirectory.App("Web App", dir.resolve("apps/web/rootfs"), List.of("/bin/true"),
                Map.of(), 0, 0, "/", List.of(), List.of(), false, null, SecurityPolicy.UNCONFINED, null, null, null, null);
        PodDirectory pod = new PodDirectory("1234", dir, List.of(app), Map.of(),
                new PodDirectory.Pod(null, null, null, false, Map.of("runtime", "runc"), null));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> new OciEngine().prepare(pod));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("app 'Web App' of pod 1234: the name is not"
                + " lower case letters, digits and single dashes"));
        assertEquals("nothing written", List.of(dir.resolve("apps")), java.nio.file.Files.list(dir).toList());
    }

    @Test
    public void aHostnameThatALineCannotHoldIsRefused() throws Exception {
        Path dir = tmp.newFolder("hostname").toPath();
        java.nio.file.Files.createDirectories(dir.resolve("apps/web/rootfs"));
        PodDirectory.App app = new PodDirectory.App("web", dir.resolve("apps/web/rootfs"), List.of("/bin/true"), Map.of(),
                0, 0, "/", List.of(), List.of(), false, null, SecurityPolicy.UNCONFINED, null, null, null, null);
        PodDirectory pod = new PodDirectory("1234", dir, List.of(app), Map.of(),
                new PodDirectory.Pod("pod\nx", null, null, false, Map.of("runtime", "runc"), null));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> new OciEngine().prepare(pod));
        assertEquals(e.getMessage(), 1, e.getMessage().lines().count());
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("'pod\\nx' (hostname)"));
        assertEquals("nothing written", List.of(dir.resolve("apps")), java.nio.file.Files.list(dir).toList());
    }

    /** The runtime's exec gets the spec with a terminal exactly when the entering command's input is one. */
    @Test
    public void enterChoosesTheTerminalSpecByItsInput() throws Exception {
        for (boolean tty : new boolean[] {false, true}) {
            List<String> argv = List.of(SupervisorScript.SH, "-c", OciEngine.CHOOSE_TERMINAL, "bosun-enter", "with.json",
                    "without.json", "app-web", "/bin/echo", "runc", "exec");
            List<String> command = new java.util.ArrayList<>(argv);
            ProcessBuilder pb = new ProcessBuilder();
            if (tty) {
                // script(1) gives the command a terminal as its input.
                command = List.of("/usr/bin/script", "-qec", String.join(" ", argv.stream()
                        .map(a -> "'" + a.replace("'", "'\\''") + "'").toList()), "/dev/null");
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.command(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertEquals(0, p.waitFor());
            assertEquals("runc exec --process " + (tty ? "with.json" : "without.json") + " app-web", out);
        }
    }
}
