package org.bosun.host.cgroup;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CgroupTreeTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<Process> started = new ArrayList<>();
    private final List<Path> made = new ArrayList<>();

    @After
    public void cleanUp() {
        started.forEach(Process::destroyForcibly);
        if (!made.isEmpty()) {
            CgroupTree.kill(made.subList(0, 1));
            CgroupTree.remove(made.subList(0, 1));
        }
    }

    /** A pod's cgroups are found by name in every hierarchy, below other cgroups too, and nowhere else. */
    @Test
    public void podCgroupsAreTheDirectoriesNamedForThePodInEveryHierarchy() throws IOException {
        Path root = tmp.getRoot().toPath();
        String uuid = UUID.randomUUID().toString();
        Path atTop = Files.createDirectories(root.resolve("memory/bosun-" + uuid));
        Path nested = Files.createDirectories(root.resolve("unified/user.slice/session/bosun-" + uuid));
        Files.createDirectories(root.resolve("cpu/bosun-" + UUID.randomUUID()));
        Files.createDirectories(root.resolve("systemd/a/b/c/d/e/bosun-" + uuid)); // deeper than pods sit
        Files.createDirectories(atTop.resolve("app")); // the pod's own sub-cgroups are not listed again
        assertEquals(Set.of(atTop, nested), Set.copyOf(CgroupTree.podCgroups(root, uuid)));
    }

    /** A crafted tree: directories with a cgroup.procs file each, as the kernel shows a hierarchy. */
    @Test
    public void theWalkListsParentsBeforeChildrenAndReadsEachCgroupsOwnProcesses() throws IOException {
        Path pod = tmp.newFolder("bosun-1234").toPath();
        Files.createDirectories(pod.resolve("app-web/sub"));
        Files.createDirectories(pod.resolve("app-db"));
        Files.writeString(pod.resolve("cgroup.procs"), "");
        Files.writeString(pod.resolve("app-web/cgroup.procs"), "12\n13\n");
        Files.writeString(pod.resolve("app-web/sub/cgroup.procs"), "14\n");
        Files.writeString(pod.resolve("app-db/cgroup.procs"), "15\n\n");
        Files.createSymbolicLink(pod.resolve("elsewhere"), tmp.newFolder("elsewhere").toPath());

        List<Path> tree = CgroupTree.walk(pod);
        assertEquals(pod, tree.get(0));
        assertEquals(Set.of(pod, pod.resolve("app-web"), pod.resolve("app-web/sub"), pod.resolve("app-db")),
                Set.copyOf(tree));
        assertTrue("parents first", tree.indexOf(pod.resolve("app-web")) < tree.indexOf(pod.resolve("app-web/sub")));
        assertEquals(Set.of(12L, 13L), CgroupTree.pids(pod.resolve("app-web")));
        assertEquals(Set.of(12L, 13L, 14L, 15L), CgroupTree.allPids(List.of(pod)));
        assertEquals("a cgroup that is gone has no processes", Set.of(), CgroupTree.pids(pod.resolve("gone")));
        assertEquals(List.of(), CgroupTree.walk(pod.resolve("gone")));
        assertEquals("nothing of a tree that is gone to remove", List.of(), CgroupTree.remove(List.of(pod.resolve("gone"))));
    }

    /** Real cgroup2 cgroups, with real processes in a cgroup and in a sub-cgroup of it: cgroup.kill. */
    @Test(timeout = 30_000)
    public void everyProcessOfACgroup2TreeIsKilledAndTheTreeRemoved() throws Exception {
        killsAndRemoves(own("cgroup2", ""));
    }

    /** Real cgroups of a legacy hierarchy (pids), which has no cgroup.kill: each process is signalled. */
    @Test(timeout = 30_000)
    public void everyProcessOfALegacyTreeIsKilledAndTheTreeRemoved() throws Exception {
        killsAndRemoves(own("cgroup", "pids"));
    }

    /** signal sends the kill and returns; the processes end on their own time. */
    @Test(timeout = 30_000)
    public void signalKillsTheProcessesItFindsAndSaysWhetherThereWereAny() throws Exception {
        Optional<Path> parent = own("cgroup2", "");
        assumeTrue("needs root and a cgroup2 hierarchy", parent.isPresent() && Files.isWritable(parent.get()));
        Path root = parent.get().resolve("bosun-cgroup-test-" + UUID.randomUUID());
        Files.createDirectory(root);
        made.add(root);
        assertFalse("an empty cgroup: nothing to signal", CgroupTree.signal(List.of(root)));
        Process a = sleeper(root);
        assertTrue(CgroupTree.signal(List.of(root)));
        assertTrue(a.waitFor(5, TimeUnit.SECONDS));
        assertEquals(137, a.exitValue());
    }

    private void killsAndRemoves(Optional<Path> parent) throws Exception {
        assumeTrue("needs root and that hierarchy", parent.isPresent() && Files.isWritable(parent.get()));
        Path root = parent.get().resolve("bosun-cgroup-test-" + UUID.randomUUID());
        Path sub = root.resolve("app-web");
        Files.createDirectory(root);
        made.add(root);
        Files.createDirectory(sub);
        made.add(sub);
        Process a = sleeper(root);
        Process b = sleeper(sub);
        Process c = sleeper(sub);
        assertEquals(Set.of(a.pid(), b.pid(), c.pid()), CgroupTree.allPids(List.of(root)));

        CgroupTree.kill(List.of(root));

        assertFalse("nothing left to signal", CgroupTree.signal(List.of(root)));
        for (Process p : List.of(a, b, c)) {
            assertTrue("killed: " + p.pid(), p.waitFor(5, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue());
        }
        assertEquals(Set.of(), CgroupTree.allPids(List.of(root)));
        assertEquals(List.of(), CgroupTree.remove(List.of(root)));
        assertFalse(Files.exists(root));
    }

    private Process sleeper(Path cgroup) throws IOException {
        Process p = new ProcessBuilder("/usr/bin/sleep", "60").start();
        started.add(p);
        Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(p.pid()));
        return p;
    }

    /** This process's cgroup in the hierarchy of that type (and controller), where it is mounted. */
    private static Optional<Path> own(String type, String controller) throws IOException {
        Path mountPoint = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] sides = line.split(" - ", 2);
            String[] fields = sides[0].split(" ");
            String[] fs = sides[1].split(" ");
            boolean match = fs[0].equals(type) && (controller.isEmpty()
                    || List.of(fs[2].split(",")).contains(controller));
            if (match && fields[3].equals("/")) {
                mountPoint = Path.of(fields[4]);
                break;
            }
        }
        if (mountPoint == null) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            boolean match = controller.isEmpty() ? parts[1].isEmpty() : List.of(parts[1].split(",")).contains(controller);
            if (match) {
                return Optional.of(mountPoint.resolve(parts[2].substring(1)));
            }
        }
        return Optional.empty();
    }
}
