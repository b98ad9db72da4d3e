package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.stage1.rules.AllowedDevices;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The devices of an app's container: bosun's list in the spec, and the createRuntime hook that
 * leaves exactly that list in the container's devices cgroup, whatever the runtime wrote there
 * (runc 1.1 appends its own defaults, /dev/net/tun among them). The hook runs here as the runtimes
 * run it, against a real cgroup of the host's v1 devices hierarchy.
 */
public class DeviceOptsTest {
    static final Path HIERARCHY = Path.of("/sys/fs/cgroup/devices");

    @Test
    public void theSpecDeniesEveryDeviceThenAllowsBosunsList() throws Exception {
        JsonNode devices = ContainerSpecsTest.json(appSpec()).path("linux").path("resources").path("devices");
        assertEquals("{\"allow\":false,\"access\":\"rwm\"}", devices.get(0).toString());
        assertEquals(AllowedDevices.DEFAULT.size() + 1, devices.size());
        assertEquals("{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}", devices.get(3).toString());
        assertEquals("{\"allow\":true,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"}",
                devices.get(devices.size() - 1).toString());
    }

    @Test
    public void theHookLeavesOnlyBosunsListInTheContainersDevicesCgroup() throws Exception {
        assumeTrue("no v1 devices hierarchy on this host", Files.exists(HIERARCHY.resolve("devices.allow")));
        String id = "bosun-device-hook-test-" + UUID.randomUUID();
        Path cgroup = Files.createDirectory(HIERARCHY.resolve(id));
        try {
            // what runc 1.1 leaves: its defaults after the spec's rules, tun among them
            Files.writeString(cgroup.resolve("devices.deny"), "a");
            for (String rule : List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 10:200 rwm", "c 136:* rwm")) {
                Files.writeString(cgroup.resolve("devices.allow"), rule);
            }
            assertEquals(0, runHook(id).exitCode);
            List<String> expected = new ArrayList<>();
            AllowedDevices.DEFAULT.forEach(rule -> expected.add(rule.line()));
            assertEquals(expected, Files.readAllLines(cgroup.resolve("devices.list")));
        } finally {
            Files.delete(cgroup);
        }
    }

    @Test
    public void theHookFailsTheContainerWhenItCannotRestrictItsCgroup() throws Exception {
        assumeTrue("no v1 devices hierarchy on this host", Files.exists(HIERARCHY.resolve("devices.allow")));
        String id = "bosun-device-hook-test-" + UUID.randomUUID();
        Result r = runHook(id);
        assertNotEquals(0, r.exitCode);
        assertTrue(r.stderr, r.stderr.contains("bosun: cannot deny every device in " + HIERARCHY.resolve(id) + "\n"));
    }

    private static OciSpec appSpec() {
        PodDirectory.App app = ContainerSpecsTest.app(SecurityPolicy.UNCONFINED, null, null);
        return new ContainerSpecs(ContainerSpecsTest.pod(app, null), 0, ContainerSpecsTest.INIT, false)
                .app(app, "app-web", app.exec());
    }

    private record Result(int exitCode, String stderr) {
    }

    /** The spec's createRuntime hook of a container whose cgroup is {@code id}, given the runtime's state on stdin. */
    private static Result runHook(String id) throws IOException, InterruptedException {
        OciSpec spec = DeviceOpts.enforced(id, false).apply(OciSpec.EMPTY);
        JsonNode hook = new ObjectMapper().valueToTree(spec.hooks().createRuntime().get(0));
        List<String> argv = new ArrayList<>(List.of(hook.path("path").asText()));
        for (int i = 1; i < hook.path("args").size(); i++) {
            argv.add(hook.path("args").get(i).asText());
        }
        Process p = new ProcessBuilder(argv).start();
        try (var state = p.getOutputStream()) {
            state.write(("{\"ociVersion\":\"1.0.2\",\"id\":\"" + id + "\",\"status\":\"creating\"}").repeat(2000)
                    .getBytes(StandardCharsets.UTF_8));
        }
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), stderr);
    }
}
