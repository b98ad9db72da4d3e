package org.bosun.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/** The idle decision on a clock the test moves. */
public class IdleExitTest {
    private static final long S = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * S);
    private final AtomicInteger connections = new AtomicInteger();
    private final IdleExit idle = new IdleExit(300 * S, now::get, connections::get);

    @Test
    public void exitsOnlyOnceTheIdleTimeHasPassedSinceTheStart() {
        now.addAndGet(299 * S);
        assertFalse(idle.shouldExit());
        now.addAndGet(S);
        assertTrue(idle.shouldExit());
    }

    @Test
    public void aRunningCommandKeepsItHoweverLongItRuns() {
        idle.commandStarted();
        now.addAndGet(3_600 * S);
        assertFalse("a command is running (an events follower, a long fetch)", idle.shouldExit());
        idle.commandEnded();
        now.addAndGet(299 * S);
        assertFalse("the idle time counts from the command's end", idle.shouldExit());
        now.addAndGet(S);
        assertTrue(idle.shouldExit());
    }

    @Test
    public void anOpenConnectionKeepsItAndTheIdleTimeRestartsWhenItCloses() {
        connections.set(2); // a CRI client and a shell session
        now.addAndGet(1_000 * S);
        assertFalse(idle.shouldExit());
        connections.set(0);
        now.addAndGet(10 * S);
        assertFalse("last seen open 10 s ago", idle.shouldExit());
        now.addAndGet(290 * S);
        assertTrue(idle.shouldExit());
    }

    @Test
    public void overlappingCommandsKeepItUntilTheLastEnds() {
        idle.commandStarted();
        idle.commandStarted();
        idle.commandEnded();
        now.addAndGet(400 * S);
        assertFalse(idle.shouldExit());
        assertEquals(1, idle.running());
        idle.commandEnded();
        assertFalse(idle.shouldExit());
        now.addAndGet(300 * S);
        assertTrue(idle.shouldExit());
    }

    @Test
    public void checksEveryTenthOfTheIdleTimeWithinOneAndTenSeconds() {
        assertEquals(10 * S, idle.period());
        assertEquals(S, new IdleExit(3 * S, now::get, connections::get).period());
        assertEquals(6 * S, new IdleExit(60 * S, now::get, connections::get).period());
    }

    @Test(expected = IllegalArgumentException.class)
    public void refusesAnIdleTimeOfZero() {
        new IdleExit(0, now::get, connections::get);
    }
}
