package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.PodLaunch;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.host.lock.Flock;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The detached start with real processes, sessions and flocks: what a pod started by the agent relies on. */
public class DetachedStartTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private PodLaunch launch(String... argv) throws Exception {
        Path prepared = tmp.getRoot().toPath().resolve("prepared/pod");
        Files.createDirectories(prepared);
        Files.writeString(prepared.resolve("pod.lck"), "");
        Files.createDirectories(tmp.getRoot().toPath().resolve("run"));
        return new PodLaunch("pod", prepared, tmp.getRoot().toPath().resolve("run/pod"), "pod.lck", "pid",
                new EngineCommand(List.of(argv), List.of("PATH=/usr/bin:/bin"), "/"));
    }

    @Test
    public void thePodRunsInASessionOfItsOwnHoldingItsLockAndNotTheCallersChild() throws Exception {
        PodLaunch launch = launch("/bin/sleep", "60");
        DetachedStart.start(launch);
        assertFalse("moved out of prepared/", Files.exists(launch.preparedDir()));
        long pid = Long.parseLong(Files.readString(launch.runDir().resolve("pid")).trim());
        ProcessHandle pod = ProcessHandle.of(pid).orElseThrow();
        try {
            // the pid is recorded by the forked child, which may not have exec'd the engine's command yet
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pod.info().command().orElse("").endsWith("sleep") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(pod.info().command().orElse(""), pod.info().command().orElse("").endsWith("sleep"));
            assertNotEquals("not our child", ProcessHandle.current().pid(), pod.parent().map(ProcessHandle::pid)
                    .orElse(-1L).longValue());
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertEquals("its own session", Long.toString(pid), fields[3]);
            assertNull("the pod holds its lock", Flock.tryExclusive(launch.runDir().resolve("pod.lck")));
        } finally {
            pod.destroyForcibly();
            pod.onExit().get(10, TimeUnit.SECONDS);
        }
        try (Flock free = Flock.tryExclusive(launch.runDir().resolve("pod.lck"))) {
            assertTrue("the lock goes with the pod", free != null);
        }
    }

    /** oci's supervise opens descriptor 9 for its watcher pipe: a lock kept there would leave the pod's process. */
    @Test
    public void theLockStaysWithAPodThatReopensTheDescriptorsItsEngineUses() throws Exception {
        PodLaunch launch = launch("/bin/sh", "-c", "exec 3>/dev/null 4</dev/null 8</dev/null 9>/dev/null; exec /bin/sleep 60");
        DetachedStart.start(launch);
        long pid = Long.parseLong(Files.readString(launch.runDir().resolve("pid")).trim());
        ProcessHandle pod = ProcessHandle.of(pid).orElseThrow();
        try {
            Thread.sleep(300); // the shell's redirections done, its exec of sleep too
            assertNull("the pod still holds its lock", Flock.tryExclusive(launch.runDir().resolve("pod.lck")));
        } finally {
            pod.destroyForcibly();
            pod.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    public void aPodWhoseLockIsHeldIsNotStartedAndStaysPrepared() throws Exception {
        PodLaunch launch = launch("/bin/sleep", "60");
        try (Flock held = Flock.exclusive(launch.preparedDir().resolve("pod.lck"))) {
            BosunException e = assertThrows(BosunException.class, () -> DetachedStart.start(launch));
            assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("in use"));
        }
        assertTrue(Files.isDirectory(launch.preparedDir()));
        assertFalse(Files.exists(launch.runDir()));
    }
}
