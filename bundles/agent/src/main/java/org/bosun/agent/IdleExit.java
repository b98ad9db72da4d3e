package org.bosun.agent;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * When an agent started with an idle time leaves: after that long without a command running and
 * without an open connection to any of its servers (the CRI's clients and streams, shell sessions,
 * the console; an events follower is a running command). Commands are counted exactly, as the
 * command socket accepts and finishes them; other connections are sampled at each check, which
 * runs every {@link #period()}, so a connection shorter than that may go unseen.
 */
final class IdleExit {
    private final long idleNanos;
    private final LongSupplier clock;
    private final IntSupplier openConnections;
    private final AtomicInteger running = new AtomicInteger();
    private volatile long lastActivity;

    IdleExit(long idleNanos, LongSupplier clock, IntSupplier openConnections) {
        if (idleNanos <= 0) {
            throw new IllegalArgumentException("an idle time must be positive, not " + idleNanos + " ns");
        }
        this.idleNanos = idleNanos;
        this.clock = clock;
        this.openConnections = openConnections;
        this.lastActivity = clock.getAsLong();
    }

    /** A command was accepted: no exit until it has ended and the idle time passed again. */
    void commandStarted() {
        running.incrementAndGet();
        lastActivity = clock.getAsLong();
    }

    void commandEnded() {
        lastActivity = clock.getAsLong();
        running.decrementAndGet();
    }

    int running() {
        return running.get();
    }

    /** Whether the agent should leave now; an open connection or a running command restarts the idle time. */
    boolean shouldExit() {
        long now = clock.getAsLong();
        if (running.get() > 0 || openConnections.getAsInt() > 0) {
            lastActivity = now;
            return false;
        }
        return now - lastActivity >= idleNanos;
    }

    /** How often to check: a tenth of the idle time, at least 1 s and at most 10 s. */
    long period() {
        return Math.max(1_000_000_000L, Math.min(10_000_000_000L, idleNanos / 10));
    }
}
