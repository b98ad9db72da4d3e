package org.bosun.host.lock;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.host.files.Scratch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

public class FlockTest {
    @Rule
    public final Scratch scratch = new Scratch();

    private Path file;

    @Before
    public void layOut() {
        file = scratch.root().resolve("x.lck");
    }

    /** flock(1) of another process, without waiting: whether it could take the lock now. */
    private static boolean anotherProcessCanTake(Path file, String mode) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("flock", mode, "--nonblock", file.toString(), "true").start();
        assertTrue("flock(1) finishes", p.waitFor(10, TimeUnit.SECONDS));
        return p.exitValue() == 0;
    }

    @Test
    public void anExclusiveLockKeepsOtherProcessesOutUntilClosed() throws Exception {
        try (Flock lock = Flock.exclusive(file)) {
            assertEquals(file, lock.path());
            assertFalse(anotherProcessCanTake(file, "--exclusive"));
            assertFalse(anotherProcessCanTake(file, "--shared"));
        }
        assertTrue("released on close", anotherProcessCanTake(file, "--exclusive"));
    }

    @Test
    public void sharedLocksOfTwoProcessesCoexistAndKeepAnExclusiveOneOut() throws Exception {
        try (LockHolder other = LockHolder.holdShared(file); Flock lock = Flock.shared(file)) {
            assertNull(Flock.tryExclusive(file));
            assertFalse(anotherProcessCanTake(file, "--exclusive"));
        }
    }

    @Test
    public void aLockHeldByAnotherProcessIsHeldAndCannotBeTaken() throws Exception {
        Files.writeString(file, "");
        assertFalse(Flock.isHeld(file));
        try (LockHolder other = LockHolder.hold(file)) {
            assertTrue(Flock.isHeld(file));
            assertNull(Flock.tryExclusive(file));
            BosunException e = assertThrows(BosunException.class, () -> Flock.create(file));
            assertTrue(e.getMessage(), e.getMessage().contains(file.toString()));
            assertThrows(BosunException.class, () -> Flock.own(file));
        }
        assertFalse("dropped when its holder died", Flock.isHeld(file));
        try (Flock again = Flock.tryExclusive(file)) {
            assertNotNull(again);
        }
    }

    @Test
    public void waitingTakesTheLockOnceTheOtherProcessLetsGo() throws Exception {
        LockHolder other = LockHolder.hold(file);
        CompletableFuture<Flock> waiting;
        try {
            waiting = CompletableFuture.supplyAsync(() -> Flock.exclusive(file));
            assertThrows("waits while the other process holds it", TimeoutException.class,
                    () -> waiting.get(300, TimeUnit.MILLISECONDS));
        } finally {
            other.close();
        }
        try (Flock taken = waiting.get(10, TimeUnit.SECONDS)) {
            assertFalse(anotherProcessCanTake(file, "--exclusive"));
        }
    }

    @Test
    public void twoThreadsOfOneProcessExcludeEachOther() throws Exception {
        // What fcntl locks (FileChannel.lock) cannot do: they belong to the process, not the open file.
        try (Flock mine = Flock.exclusive(file)) {
            CompletableFuture<Flock> other = CompletableFuture.supplyAsync(() -> Flock.tryExclusive(file));
            assertNull(other.get(10, TimeUnit.SECONDS));
            CompletableFuture<Boolean> held = CompletableFuture.supplyAsync(() -> Flock.isHeld(file));
            assertTrue(held.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    public void anInterruptedWaitIsCancelledAndTakesNothing() throws Exception {
        try (LockHolder other = LockHolder.hold(file)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try (Flock never = Flock.exclusive(file)) {
                    failure.set(new AssertionError("took a held lock"));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            waiter.start();
            Thread.sleep(100);
            waiter.interrupt();
            waiter.join(10_000);
            assertFalse(waiter.isAlive());
            BosunException e = (BosunException) failure.get();
            assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("cancelled"));
        }
        assertFalse("the waiter kept nothing open", Flock.isHeld(file));
    }

    @Test
    public void aChildProcessDoesNotInheritTheLock() throws Exception {
        Process child;
        try (Flock lock = Flock.exclusive(file)) {
            child = new ProcessBuilder("sleep", "30").start();
        }
        try {
            assertTrue("the child still runs", child.isAlive());
            assertTrue("yet the lock is free: its descriptor was close-on-exec", anotherProcessCanTake(file, "--exclusive"));
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    public void createMakesTheFileAndLocksADirectoryToo() throws Exception {
        try (Flock lock = Flock.create(file)) {
            assertTrue(Files.isRegularFile(file));
            assertTrue(Flock.isHeld(file));
        }
        Path dir = Files.createDirectory(scratch.root().resolve("tree"));
        try (Flock lock = Flock.own(dir)) {
            assertFalse(anotherProcessCanTake(dir, "--exclusive"));
        }
    }

    @Test
    public void aMissingFileIsNeitherHeldNorTakenWithoutCreating() {
        Path missing = scratch.root().resolve("missing");
        assertFalse(Flock.isHeld(missing));
        assertNull(Flock.tryExclusive(missing));
        assertFalse(Files.exists(missing));
    }

    @Test
    public void aLockFileThatCannotBeOpenedIsOneClearError() {
        Path impossible = scratch.root().resolve("no-such-dir/x.lck");
        BosunException e = assertThrows(BosunException.class, () -> Flock.exclusive(impossible));
        assertTrue(e.getMessage(), e.getMessage().contains(impossible.toString()));
        assertFalse(e.getMessage().contains("\n"));
    }
}
