package org.bosun.security.selinux;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.host.files.FileTree;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** A fake selinuxfs and policy tree in a temporary directory stand for a host with SELinux. */
public class SelinuxModuleTest {
    private Path dir;
    private Path selinuxfs;
    private Path config;
    private RuntimePaths paths;

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("bosun-selinux-test-");
        selinuxfs = Files.createDirectories(dir.resolve("sys/fs/selinux"));
        config = Files.createDirectories(dir.resolve("etc/selinux"));
        paths = new RuntimePaths(dir.resolve("data"), dir.resolve("local"), dir.resolve("system"));
    }

    @After
    public void tearDown() throws IOException {
        FileTree.delete(dir);
    }

    private void enableWithTargetedPolicy() throws IOException {
        Files.writeString(selinuxfs.resolve("enforce"), "1");
        Files.writeString(config.resolve("config"), "SELINUX=enforcing\nSELINUXTYPE=targeted\n");
        Path contexts = Files.createDirectories(config.resolve("targeted/contexts"));
        Files.writeString(contexts.resolve("lxc_contexts"), "process = \"system_u:system_r:container_t:s0\"\n"
                + "content = \"system_u:object_r:virt_var_lib_t:s0\"\n"
                + "file = \"system_u:object_r:container_file_t:s0\"\n"
                + "ro_file = \"system_u:object_r:container_ro_file_t:s0\"\n");
    }

    private SelinuxModule module(long seed) {
        return new SelinuxModule(new SelinuxHost(selinuxfs, config), new Random(seed));
    }

    private SecurityContext app(String pod, String name) {
        return new SecurityContext(paths, pod, name, Set.of(), null, null, null, null);
    }

    @Test
    public void withoutSelinuxfsTheModuleIsInactiveWithOneClearLine() {
        String reason = module(1).inactiveReason(paths);
        assertTrue(reason, reason.startsWith("SELinux is not enabled on this host"));
        assertEquals(1, reason.lines().count());
    }

    @Test
    public void aPolicyWithoutContainerContextsIsInactiveNamingTheFile() throws IOException {
        Files.writeString(selinuxfs.resolve("enforce"), "0");
        Files.writeString(config.resolve("config"), "SELINUXTYPE=minimum\n");
        String reason = module(1).inactiveReason(paths);
        assertTrue(reason, reason.contains("minimum/contexts/lxc_contexts"));
    }

    @Test
    public void anActivePodGetsTheLxcContextsWithACategoryPairOfItsOwn() throws IOException {
        enableWithTargetedPolicy();
        SelinuxModule module = module(7);
        assertNull(module.inactiveReason(paths));
        SecurityPolicy p = module.contribute(app("p1", "a"), SecurityPolicy.UNCONFINED);
        String process = p.selinuxLabels().process();
        String mount = p.selinuxLabels().mount();
        assertTrue(process, process.matches("system_u:system_r:container_t:s0:c\\d+,c\\d+"));
        String categories = process.substring(process.lastIndexOf(':') + 1);
        assertEquals("system_u:object_r:container_file_t:s0:" + categories, mount);
        String[] c = categories.split(",");
        int low = Integer.parseInt(c[0].substring(1));
        int high = Integer.parseInt(c[1].substring(1));
        assertTrue(categories, low < high && high < McsLabels.CATEGORIES);
    }

    @Test
    public void theAppsOfAPodShareItsLabelsAndPodsNeverShareAPair() throws IOException {
        enableWithTargetedPolicy();
        // Few categories' worth of pods with one seed: collisions of the random draw must be retried.
        SelinuxModule module = module(3);
        String first = module.contribute(app("p0", "a"), SecurityPolicy.UNCONFINED).selinuxLabels().process();
        assertEquals(first, module.contribute(app("p0", "b"), SecurityPolicy.UNCONFINED).selinuxLabels().process());
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            labels.add(module.contribute(app("p" + i, "a"), SecurityPolicy.UNCONFINED).selinuxLabels().process());
        }
        assertEquals(300, labels.size());
    }

    @Test
    public void releaseFreesThePairAndIsIdempotent() throws IOException {
        enableWithTargetedPolicy();
        SelinuxModule module = module(5);
        module.contribute(app("p1", "a"), SecurityPolicy.UNCONFINED);
        module.contribute(app("p2", "a"), SecurityPolicy.UNCONFINED);
        module.release(paths, "p1");
        module.release(paths, "p1");
        List<McsLabels.Pair> left = module.labels(paths).list();
        assertEquals(1, left.size());
        assertEquals("p2", left.get(0).pod());
    }

    @Test
    public void releaseWhereNoPodWasLabelledWritesNothing() {
        module(1).release(paths, "p1");
        assertTrue(Files.notExists(paths.dataDir()));
    }

    @Test
    public void aBrokenLxcContextsIsOneClearError() throws IOException {
        enableWithTargetedPolicy();
        Files.writeString(config.resolve("targeted/contexts/lxc_contexts"), "process = \"container_t\"\n");
        BosunException e = assertThrows(BosunException.class,
                () -> module(1).contribute(app("p1", "a"), SecurityPolicy.UNCONFINED));
        assertTrue(e.getMessage(), e.getMessage().contains("lxc_contexts"));
        assertNotEquals(null, e.getMessage());
    }

    @Test
    public void aLabelKeepsTheSensitivityAndReplacesAnyCategories() {
        McsLabels.Pair pair = new McsLabels.Pair(1, 2, "p");
        assertEquals("u:r:t:s0:c1,c2", SelinuxModule.label("u:r:t:s0", pair));
        assertEquals("u:r:t:s0:c1,c2", SelinuxModule.label("u:r:t:s0-s0:c0.c1023", pair));
    }
}
