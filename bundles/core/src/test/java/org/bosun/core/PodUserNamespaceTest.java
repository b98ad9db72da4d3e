package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.files.Scratch;
import org.junit.Rule;
import org.junit.Test;

/** A sandbox's recorded user namespace, and the apps added to it (PodSecurity, PodFiles). */
public class PodUserNamespaceTest {
    private static final IdMapping POD = new IdMapping(0, 589824, 65536);

    @Rule
    public final Scratch scratch = new Scratch();

    private static PodDirectory.App app(String name, IdMapping mapping) {
        SecurityPolicy policy = mapping == null ? SecurityPolicy.UNCONFINED
                : SecurityPolicy.UNCONFINED.withUidMappings(List.of(mapping));
        return new PodDirectory.App(name, Path.of("/pod/apps", name, "rootfs"), List.of("/bin/true"), Map.of(), 0, 0, "/",
                null, null, false, null, policy, null, null, null, null);
    }

    @Test
    public void aSandboxWithNoAppsHasItsRecordedUserNamespace() {
        assertEquals(POD, PodSecurity.userNamespace("p", List.of(), POD));
        assertNull(PodSecurity.userNamespace("p", List.of(), null));
    }

    @Test
    public void appsAddedWithThePodsMappingRunInIt() {
        assertEquals(POD, PodSecurity.userNamespace("p", List.of(app("a", POD), app("b", POD)), POD));
        assertEquals("a pod given its apps at prepare: theirs", POD,
                PodSecurity.userNamespace("p", List.of(app("a", POD), app("b", POD)), null));
    }

    @Test
    public void anAppWithAnotherMappingOrNoneIsRefused() {
        BosunException other = assertThrows(BosunException.class, () -> PodSecurity.userNamespace("p",
                List.of(app("a", POD), app("b", new IdMapping(0, 655360, 65536))), POD));
        assertTrue(other.getMessage(), other.getMessage().contains("app b"));
        assertThrows(BosunException.class, () -> PodSecurity.userNamespace("p", List.of(app("a", null)), POD));
        assertThrows(BosunException.class, () -> PodSecurity.userNamespace("p", List.of(app("a", POD), app("b", null)),
                null));
    }

    @Test
    public void theRecordSurvivesTheFileAndWinsOverTheApps() throws Exception {
        PodFiles files = new PodFiles();
        Path pod = scratch.root();
        assertNull(files.userNamespace(pod, null));
        files.writeJson(pod.resolve(PodFiles.USER_NAMESPACE), POD);
        assertEquals(POD, files.userNamespace(pod, null));
    }
}
