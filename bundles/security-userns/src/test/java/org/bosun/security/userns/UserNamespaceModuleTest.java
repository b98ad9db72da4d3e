package org.bosun.security.userns;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.host.files.FileTree;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class UserNamespaceModuleTest {
    private Path dir;
    private RuntimePaths paths;

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("bosun-userns-test-");
        paths = new RuntimePaths(dir.resolve("data"), dir.resolve("etc"), dir.resolve("lib"));
    }

    @After
    public void tearDown() throws IOException {
        FileTree.delete(dir);
    }

    private static PodOptions privateUsers(boolean on) {
        return new PodOptions(null, null, null, null, null, null, null, null, false, on, false, null, null);
    }

    private SecurityContext app(String pod, String name, boolean privateUsers) throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve(pod).resolve("apps").resolve(name).resolve("rootfs"));
        return new SecurityContext(paths, pod, name, Set.of(), null, null, privateUsers(privateUsers), rootfs);
    }

    private UserNamespaceModule module(List<Path> subordinate) {
        return new UserNamespaceModule(524288, 4, subordinate, "");
    }

    @Test
    public void aPodWithoutPrivateUsersGetsNoUserNamespace() throws IOException {
        SecurityPolicy p = module(List.of()).contribute(app("p1", "a", false), SecurityPolicy.UNCONFINED);
        assertSame(SecurityPolicy.UNCONFINED, p);
        assertTrue(Files.notExists(paths.dataDir().resolve(UserNamespaceModule.RANGES_FILE)));
    }

    @Test
    public void privateUsersMapsContainerIdsZeroTo65535ToAnAllocatedHostRange() throws IOException {
        SecurityPolicy p = module(List.of()).contribute(app("p1", "a", true), SecurityPolicy.UNCONFINED);
        assertEquals(1, p.uidMappings().size());
        assertEquals(new IdMapping(0, 524288, 65536), p.uidMappings().get(0));
    }

    @Test
    public void theAppsOfOnePodShareItsRangeAndTwoPodsGetDisjointOnes() throws IOException {
        UserNamespaceModule module = module(List.of());
        long a = module.contribute(app("p1", "a", true), SecurityPolicy.UNCONFINED).uidMappings().get(0).host();
        long b = module.contribute(app("p1", "b", true), SecurityPolicy.UNCONFINED).uidMappings().get(0).host();
        long c = module.contribute(app("p2", "a", true), SecurityPolicy.UNCONFINED).uidMappings().get(0).host();
        assertEquals(a, b);
        assertEquals(a + 65536, c);
    }

    @Test
    public void aSandboxGetsItsRangeBeforeItHasAppsAndEveryAddedAppTheSameOne() throws IOException {
        UserNamespaceModule module = module(List.of());
        module.contribute(app("other", "a", true), SecurityPolicy.UNCONFINED);
        IdMapping sandbox = module.podUserNamespace(paths, "sb", privateUsers(true));
        assertEquals(new IdMapping(0, 524288 + 65536, 65536), sandbox);
        assertEquals(sandbox, module.podUserNamespace(paths, "sb", privateUsers(true)));
        assertEquals(List.of(sandbox), module.contribute(app("sb", "a", true), SecurityPolicy.UNCONFINED).uidMappings());
        assertEquals(List.of(sandbox), module.contribute(app("sb", "b", true), SecurityPolicy.UNCONFINED).uidMappings());
        module.release(paths, "sb");
        assertEquals(sandbox, module.podUserNamespace(paths, "next", privateUsers(true)));
    }

    @Test
    public void aSandboxWithoutPrivateUsersGetsNoRange() {
        assertEquals(null, module(List.of()).podUserNamespace(paths, "sb", privateUsers(false)));
        assertTrue(Files.notExists(paths.dataDir().resolve(UserNamespaceModule.RANGES_FILE)));
    }

    @Test
    public void releaseFreesTheRangeForTheNextPodAndIsIdempotent() throws IOException {
        UserNamespaceModule module = module(List.of());
        long first = module.contribute(app("p1", "a", true), SecurityPolicy.UNCONFINED).uidMappings().get(0).host();
        module.release(paths, "p1");
        module.release(paths, "p1");
        assertEquals(List.of(), module.ranges(paths).list());
        long next = module.contribute(app("p2", "a", true), SecurityPolicy.UNCONFINED).uidMappings().get(0).host();
        assertEquals(first, next);
    }

    @Test
    public void rangesOfHostUsersInSubuidAndSubgidAreNeverGiven() throws IOException {
        Path subuid = Files.writeString(dir.resolve("subuid"), "# users\nalice:524288:65536\n");
        Path subgid = Files.writeString(dir.resolve("subgid"), "bob:600000:10\n");
        UserNamespaceModule module = module(List.of(subuid, subgid, dir.resolve("missing")));
        long host = module.contribute(app("p1", "a", true), SecurityPolicy.UNCONFINED).uidMappings().get(0).host();
        assertEquals(524288 + 2 * 65536, host);
    }

    @Test
    public void aFullAllocatorRefusesWithAClearErrorAndTakesNothing() throws IOException {
        UserNamespaceModule module = module(List.of());
        for (int i = 0; i < 4; i++) {
            module.contribute(app("p" + i, "a", true), SecurityPolicy.UNCONFINED);
        }
        BosunException e = assertThrows(BosunException.class,
                () -> module.contribute(app("p9", "a", true), SecurityPolicy.UNCONFINED));
        assertTrue(e.getMessage(), e.getMessage().contains("bosun gc"));
        assertEquals(4, module.ranges(paths).list().size());
    }

    @Test
    public void concurrentPodsNeverGetTheSameRange() throws Exception {
        UserNamespaceModule module = new UserNamespaceModule(524288, 64, List.of(), "");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> hosts = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                SecurityContext context = app("pod" + i, "a", true);
                hosts.add(pool.submit(() -> module.contribute(context, SecurityPolicy.UNCONFINED).uidMappings().get(0).host()));
            }
            Set<Long> distinct = new HashSet<>();
            for (Future<Long> f : hosts) {
                distinct.add(f.get());
            }
            assertEquals(32, distinct.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void theRootfsOwnersAreShiftedIntoTheRangeWithSetuidBitsKept() throws IOException {
        SecurityContext context = app("p1", "a", true);
        Path bin = Files.createDirectories(context.rootfs().resolve("bin"));
        Path tool = Files.writeString(bin.resolve("tool"), "x");
        Files.setAttribute(tool, "unix:gid", 42);
        Files.setAttribute(tool, "unix:mode", 04755);
        Path link = Files.createSymbolicLink(bin.resolve("link"), Path.of("/nonexistent"));
        module(List.of()).contribute(context, SecurityPolicy.UNCONFINED);
        assertEquals(524288, Files.getAttribute(context.rootfs(), "unix:uid"));
        assertEquals(524288, Files.getAttribute(tool, "unix:uid"));
        assertEquals(524288 + 42, Files.getAttribute(tool, "unix:gid"));
        assertEquals(04755, (int) Files.getAttribute(tool, "unix:mode") & 07777);
        assertEquals(524288, Files.getAttribute(link, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    public void idsTheNamespaceCannotMapBecomeThePodsNobody() {
        assertEquals(1000 + 65534, OwnerShift.hostIdOf(70000, 1000, 65536));
        assertEquals(1000 + 5, OwnerShift.hostIdOf(5, 1000, 65536));
    }

    @Test
    public void anOverlayRootfsIsRefused() throws IOException {
        SecurityContext context = app("p1", "a", true);
        Files.writeString(context.rootfs().resolveSibling("layers"), "/some/tree\n");
        assertThrows(BosunException.class, () -> module(List.of()).contribute(context, SecurityPolicy.UNCONFINED));
        assertEquals(List.of(), module(List.of()).ranges(paths).list());
    }

    @Test
    public void anUnreadableSubuidLineIsRefusedRatherThanIgnored() throws IOException {
        Path subuid = Files.writeString(dir.resolve("subuid"), "alice:lots\n");
        BosunException e = assertThrows(BosunException.class,
                () -> module(List.of(subuid)).contribute(app("p1", "a", true), SecurityPolicy.UNCONFINED));
        assertTrue(e.getMessage(), e.getMessage().contains("line 1"));
        assertNotEquals(null, e.getMessage());
    }
}
