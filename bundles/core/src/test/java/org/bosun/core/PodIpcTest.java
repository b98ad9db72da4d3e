package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PrepareRequest;
import org.bosun.api.stage1.EngineCapabilities;
import org.junit.Test;

/** rkt's {@code --ipc}, as the core resolves it for an engine before the pod records it. */
public class PodIpcTest {
    private static final EngineCapabilities ISOLATING = new EngineCapabilities(8, true, true);
    private static final EngineCapabilities FLY = new EngineCapabilities(1, false, false);

    private static String resolved(String ipc, EngineCapabilities caps) {
        PrepareRequest request = new PrepareRequest(List.of(), "engine", Set.of(), Map.of(),
                PodOptions.DEFAULTS.withIpc(ipc), null, null);
        return PodPreparer.withIpc(request, "engine", caps).options().ipc();
    }

    @Test
    public void autoIsThePodsOwnOnAnIsolatingEngineAndTheHostsOnFly() {
        assertEquals("private", resolved(null, ISOLATING));
        assertEquals("private", resolved("auto", ISOLATING));
        assertEquals("parent", resolved("auto", FLY));
        assertEquals("parent", resolved("parent", ISOLATING));
        assertEquals("private", resolved("private", ISOLATING));
    }

    @Test
    public void privateOnAnEngineThatIsolatesNothingAndUnknownValuesAreInvalid() {
        BosunException fly = assertThrows(BosunException.class, () -> resolved("private", FLY));
        assertEquals(ErrorKind.INVALID_ARGUMENT, fly.kind());
        assertTrue(fly.getMessage(), fly.getMessage().contains("--ipc=private"));
        assertEquals(ErrorKind.INVALID_ARGUMENT,
                assertThrows(BosunException.class, () -> resolved("host", ISOLATING)).kind());
    }

    @Test
    public void anExportedAciKeepsItsManifestLessItsDependencies() throws Exception {
        String aci = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/child\","
                + "\"labels\":[{\"name\":\"os\",\"value\":\"linux\"}],\"dependencies\":[{\"imageName\":\"example.com/base\"}],"
                + "\"pathWhitelist\":[\"/bin\"],\"app\":{\"exec\":[\"/bin/sh\"],\"user\":\"1000\",\"group\":\"1000\"}}";
        com.fasterxml.jackson.databind.JsonNode exported = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(ExportedManifest.of(null, aci));
        assertTrue(exported.path("dependencies").isMissingNode());
        assertTrue(exported.path("pathWhitelist").isMissingNode());
        assertEquals("example.com/child", exported.path("name").asText());
        assertEquals("1000", exported.path("app").path("user").asText());
    }

    @Test
    public void anotherFormatsImageGetsAnAppcManifestWithItsPlatform() {
        org.bosun.api.image.ImageManifest docker = new org.bosun.api.image.ImageManifest("Docker.io/Library/Busybox",
                Map.of(), List.of("sh"), null, null, null, Map.of("PATH", "/bin"), Map.of());
        com.fasterxml.jackson.databind.node.ObjectNode m = ExportedManifest.converted(docker);
        assertEquals("docker.io/library/busybox", m.path("name").asText());
        assertEquals("0", m.path("app").path("user").asText());
        assertEquals("0", m.path("app").path("group").asText());
        assertTrue(m.path("labels").toString(), m.path("labels").toString().contains("\"os\""));
        assertTrue(m.path("labels").toString(), m.path("labels").toString().contains("\"arch\""));
    }
}
