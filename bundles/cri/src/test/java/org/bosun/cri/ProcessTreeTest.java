package org.bosun.cri;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * A timed-out exec's processes, with real processes: the ones below the entering command are killed,
 * the command itself reaps them and ends by itself, and none is left, not even as a zombie.
 */
public class ProcessTreeTest {
    @Test(timeout = 30_000)
    public void theProcessesBelowAreKilledAndReapedByTheirParentWhichEndsByItself() throws Exception {
        // the shell stands for runc exec: it waits for its children and exits when they are gone
        Process p = new ProcessBuilder("/bin/sh", "-c", "sleep 300 & sleep 301 & wait; exit 7").start();
        List<ProcessHandle> children = awaitChildren(p, 2);
        List<ProcessTree.Task> tasks = children.stream().map(h -> ProcessTree.task(h.pid())).toList();
        long started = System.nanoTime();
        assertTrue(ProcessTree.killBelow(p, Duration.ofSeconds(10)));
        assertTrue("within moments", System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5));
        assertFalse(p.isAlive());
        assertEquals("the parent ended by itself, not killed", 7, p.exitValue());
        for (ProcessTree.Task t : tasks) {
            assertFalse("process " + t.pid() + " is gone, reaped", ProcessTree.exists(t));
        }
    }

    @Test(timeout = 30_000)
    public void aParentThatDoesNotEndIsKilledAtTheLimit() throws Exception {
        // its child's end does not end this one (a sleep, which inherited the shell's child): it sleeps on
        Process p = new ProcessBuilder("/bin/sh", "-c", "sleep 302 & exec sleep 304").start();
        awaitChildren(p, 1);
        assertFalse(ProcessTree.killBelow(p, Duration.ofMillis(500)));
        assertFalse(p.isAlive());
    }

    @Test
    public void statFieldsStartAfterTheLastParenthesisOfTheName() {
        String stat = "4242 (a) b) (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10";
        String[] fields = ProcessTree.fields(stat);
        assertArrayEquals(new String[] {"S", "1"}, new String[] {fields[0], fields[1]});
        assertEquals("98765", fields[19]);
        assertNull(ProcessTree.fields("4242 (short) S 1"));
        assertNull(ProcessTree.task(Long.MAX_VALUE));
    }

    private static List<ProcessHandle> awaitChildren(Process p, int count) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            List<ProcessHandle> children = p.children().toList();
            if (children.size() >= count) {
                return children;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the shell did not start its " + count + " children");
    }
}
