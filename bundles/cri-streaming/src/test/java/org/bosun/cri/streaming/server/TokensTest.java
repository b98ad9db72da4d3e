package org.bosun.cri.streaming.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class TokensTest {
    private Instant now = Instant.parse("2026-12-07T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void aTokenIsTakenOnceOnly() {
        Tokens<String> tokens = new Tokens<>(Duration.ofMinutes(1), clock);
        String a = tokens.issue("a");
        String b = tokens.issue("b");
        assertNotEquals(a, b);
        assertTrue(a.matches("[A-Za-z0-9_-]{43}"), a);
        assertEquals("a", tokens.take(a));
        assertNull(tokens.take(a));
        assertEquals("b", tokens.take(b));
        assertNull(tokens.take("made-up"));
    }

    @Test
    void aTokenExpires() {
        Tokens<String> tokens = new Tokens<>(Duration.ofMinutes(1), clock);
        String a = tokens.issue("a");
        now = now.plusSeconds(59);
        String b = tokens.issue("b");
        now = now.plusSeconds(1);
        assertNull(tokens.take(a), "expired at one minute");
        assertEquals("b", tokens.take(b));
    }
}
