package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.PodState;
import org.bosun.host.files.Scratch;
import org.bosun.host.lock.LockHolder;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

public class PodStoreTest {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
    private static final int LOCK_EX = 2;

    private static final String UUID_A = "6f1c1a7e-0b1e-4c1e-9d7a-0c2b1f3e4a50";
    private static final String UUID_B = "6f1c9999-0b1e-4c1e-9d7a-0c2b1f3e4a51";
    private static final String UUID_C = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";

    @Rule
    public final Scratch scratch = new Scratch();

    private Path pods;
    private PodStore store;

    @Before
    public void layOut() {
        pods = scratch.root().resolve("data/pods");
        store = new PodStore(pods);
        store.ensureLayout();
    }

    private Path pod(PodStore.Dir dir, String uuid) throws IOException {
        Path p = Files.createDirectories(store.path(dir, uuid));
        Files.writeString(p.resolve(PodLock.FILE_NAME), "");
        return p;
    }

    private PodState stateOf(String uuid) {
        return store.state(store.find(uuid));
    }

    /** Holds an exclusive flock on the pod's lock file through a second open file of this process. */
    private static int lockInProcess(Path podDir) {
        int fd = POSIX.open(podDir.resolve(PodLock.FILE_NAME).toString(), OpenFlags.O_RDWR.intValue(), 0);
        assertTrue("open " + podDir, fd >= 0);
        assertEquals("flock " + podDir, 0, POSIX.flock(fd, LOCK_EX));
        return fd;
    }

    @Test
    public void laysOutOneDirectoryPerState() throws IOException {
        try (var list = Files.list(pods)) {
            Set<String> names = list.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            assertEquals(Set.of("embryo", "prepare", "prepared", "run", "exited-garbage", "garbage"), names);
        }
        store.ensureLayout();
        assertTrue("laying out twice is harmless", Files.isDirectory(pods.resolve("run")));
    }

    @Test
    public void findsNoPodsInAStoreThatWasNeverLaidOut() {
        assertEquals(List.of(), new PodStore(scratch.root().resolve("nothing/pods")).all());
    }

    @Test
    public void aPodInRunWhoseLockIsHeldIsRunning() throws IOException {
        Path p = pod(PodStore.Dir.RUN, UUID_A);
        int fd = lockInProcess(p);
        try {
            assertEquals(PodState.RUNNING, stateOf(UUID_A));
        } finally {
            POSIX.close(fd);
        }
        assertEquals("released", PodState.EXITED, stateOf(UUID_A));
    }

    @Test
    public void aPodInRunWhoseLockIsHeldByAnotherProcessIsRunningUntilThatProcessDies() throws IOException {
        Path p = pod(PodStore.Dir.RUN, UUID_A);
        try (LockHolder holder = LockHolder.hold(p.resolve(PodLock.FILE_NAME))) {
            assertEquals(PodState.RUNNING, stateOf(UUID_A));
            assertNull("no one else may take it", PodLock.tryExclusive(p));
        }
        assertEquals(PodState.EXITED, stateOf(UUID_A));
    }

    @Test
    public void aPodInRunWhoseLockIsFreeIsExited() throws IOException {
        pod(PodStore.Dir.RUN, UUID_A);
        assertEquals(PodState.EXITED, stateOf(UUID_A));
        assertTrue(PodState.EXITED.isFinished());
    }

    @Test
    public void aPodInPrepareWhoseLockIsHeldIsPreparing() throws IOException {
        Path p = pod(PodStore.Dir.PREPARE, UUID_A);
        try (LockHolder holder = LockHolder.hold(p.resolve(PodLock.FILE_NAME))) {
            assertEquals(PodState.PREPARING, stateOf(UUID_A));
        }
    }

    @Test
    public void aPodInPrepareWhoseLockIsFreeIsAnAbortedPreparation() throws IOException {
        pod(PodStore.Dir.PREPARE, UUID_A);
        assertEquals(PodState.ABORTED_PREPARE, stateOf(UUID_A));
    }

    @Test
    public void theOtherStatesAreTheirDirectories() throws IOException {
        pod(PodStore.Dir.EMBRYO, UUID_A);
        pod(PodStore.Dir.PREPARED, UUID_B);
        pod(PodStore.Dir.EXITED_GARBAGE, UUID_C);
        String garbage = "00000000-0000-4000-8000-000000000000";
        pod(PodStore.Dir.GARBAGE, garbage);
        assertEquals(PodState.EMBRYO, stateOf(UUID_A));
        assertEquals(PodState.PREPARED, stateOf(UUID_B));
        assertEquals(PodState.EXITED_GARBAGE, stateOf(UUID_C));
        assertEquals(PodState.GARBAGE, stateOf(garbage));
    }

    @Test
    public void podLockCreateTakesTheLockUntilClosed() throws IOException {
        Path p = Files.createDirectories(store.path(PodStore.Dir.PREPARE, UUID_A));
        try (PodLock lock = PodLock.create(p)) {
            assertTrue(PodLock.isHeld(p));
            assertEquals(PodState.PREPARING, stateOf(UUID_A));
            assertNull(PodLock.tryExclusive(p));
        }
        assertFalse(PodLock.isHeld(p));
        try (PodLock again = PodLock.tryExclusive(p)) {
            assertNotNull(again);
        }
    }

    @Test
    public void theLockFollowsThePodThroughARename() throws IOException {
        Path p = Files.createDirectories(store.path(PodStore.Dir.PREPARE, UUID_A));
        try (PodLock lock = PodLock.create(p)) {
            Path moved = store.move(store.find(UUID_A), PodStore.Dir.RUN);
            assertEquals(store.path(PodStore.Dir.RUN, UUID_A), moved);
            assertFalse(Files.exists(p));
            assertEquals(PodState.RUNNING, stateOf(UUID_A));
        }
        assertEquals(PodState.EXITED, stateOf(UUID_A));
    }

    @Test
    public void movingAPodThatAnotherCommandMovedFirstFailsAsAPrecondition() throws IOException {
        pod(PodStore.Dir.PREPARED, UUID_A);
        PodStore.Found found = store.find(UUID_A);
        store.move(found, PodStore.Dir.RUN);
        BosunException e = assertThrows(BosunException.class, () -> store.move(found, PodStore.Dir.GARBAGE));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(Files.isDirectory(store.path(PodStore.Dir.RUN, UUID_A)));
    }

    @Test
    public void findsAPodByItsFullUuidInAnyState() throws IOException {
        pod(PodStore.Dir.EXITED_GARBAGE, UUID_A);
        PodStore.Found f = store.find(UUID_A);
        assertEquals(UUID_A, f.uuid());
        assertEquals(PodStore.Dir.EXITED_GARBAGE, f.dir());
        assertEquals(store.path(PodStore.Dir.EXITED_GARBAGE, UUID_A), f.path());
    }

    @Test
    public void findsAPodByAUniquePrefix() throws IOException {
        pod(PodStore.Dir.RUN, UUID_A);
        pod(PodStore.Dir.PREPARED, UUID_B);
        pod(PodStore.Dir.PREPARED, UUID_C);
        assertEquals(UUID_C, store.find("a0").uuid());
        assertEquals(UUID_A, store.find("6f1c1").uuid());
        assertEquals("upper case is the same UUID", UUID_C, store.find("A0B1").uuid());
    }

    @Test
    public void refusesAnAmbiguousPrefix() throws IOException {
        pod(PodStore.Dir.RUN, UUID_A);
        pod(PodStore.Dir.PREPARED, UUID_B);
        BosunException e = assertThrows(BosunException.class, () -> store.find("6f1c"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("6f1c"));
        assertTrue(e.getMessage(), e.getMessage().contains("ambiguous"));
    }

    @Test
    public void reportsAnUnknownUuidAsNotFound() throws IOException {
        pod(PodStore.Dir.RUN, UUID_A);
        BosunException e = assertThrows(BosunException.class, () -> store.find("deadbeef"));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("deadbeef"));
    }

    @Test
    public void refusesPathLikeInput() throws IOException {
        pod(PodStore.Dir.RUN, UUID_A);
        Files.createDirectories(pods.resolve("x"));
        for (String bad : new String[] {"../x", "..", "/etc", "run/" + UUID_A, "6f1c*", "", " ", "6f1c g", "6f1c\u00a0"}) {
            BosunException e = assertThrows(bad, BosunException.class, () -> store.find(bad));
            assertEquals(bad, ErrorKind.INVALID_ARGUMENT, e.kind());
        }
        BosunException e = assertThrows(BosunException.class, () -> store.find(null));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    public void refusesSomethingLongerThanAUuid() throws IOException {
        pod(PodStore.Dir.RUN, UUID_A);
        BosunException e = assertThrows(BosunException.class, () -> store.find(UUID_A + "0"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }
}
