package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.stage1.PodDirectory;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A pod launched detached is starting until its process writes engine/pid: app operations wait for it. */
public class SupervisorPidTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();
    private Process sleeper;

    @After
    public void stop() {
        if (sleeper != null) {
            sleeper.destroyForcibly();
        }
    }

    private PodDirectory pod() throws Exception {
        Path dir = tmp.newFolder("pod").toPath();
        Files.createDirectories(dir.resolve("engine"));
        return new PodDirectory("1234", dir, List.of(), Map.of(),
                new PodDirectory.Pod(null, null, null, false, Map.of("runtime", "runc"), null));
    }

    private long live() throws Exception {
        sleeper = new ProcessBuilder("sleep", "60").start();
        return sleeper.pid();
    }

    @Test
    public void aStartingPodsSupervisorIsWaitedFor() throws Exception {
        PodDirectory pod = pod();
        long pid = live();
        Files.writeString(pod.path().resolve(OciEngine.POD_PID), pid + "\n");
        CompletableFuture<Long> found = CompletableFuture.supplyAsync(() -> OciEngine.supervisorPid(pod));
        Thread.sleep(200);
        assertTrue("no record yet: still waiting", !found.isDone());
        Files.writeString(pod.stage1Dir().resolve(OciEngine.PID_RECORD), pid + "\n");
        assertEquals(Long.valueOf(pid), found.get(5, TimeUnit.SECONDS));
    }

    @Test
    public void aPodWhoseProcessIsGoneHasNoSupervisorAtOnce() throws Exception {
        PodDirectory pod = pod();
        long pid = live();
        sleeper.destroyForcibly().waitFor();
        Files.writeString(pod.path().resolve(OciEngine.POD_PID), pid + "\n");
        long start = System.nanoTime();
        BosunException e = assertThrows(BosunException.class, () -> OciEngine.supervisorPid(pod));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue("no wait for a pod that is not starting", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    public void anExitedSupervisorIsNotWaitedFor() throws Exception {
        PodDirectory pod = pod();
        long pid = live();
        Files.writeString(pod.path().resolve(OciEngine.POD_PID), pid + "\n");
        Files.writeString(pod.stage1Dir().resolve(OciEngine.PID_RECORD), "999999999\n");
        long start = System.nanoTime();
        assertEquals(ErrorKind.FAILED_PRECONDITION,
                assertThrows(BosunException.class, () -> OciEngine.supervisorPid(pod)).kind());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    }
}
