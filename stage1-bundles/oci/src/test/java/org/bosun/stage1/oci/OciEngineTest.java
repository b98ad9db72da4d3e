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
}
