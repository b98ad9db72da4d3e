package org.bosun.cri.streaming.server;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-time tokens: 32 random bytes (URL-safe base64) per registered session, each taken at most
 * once and only before it expires. Expired ones are dropped whenever a new one is issued.
 */
final class Tokens<T> {
    private record Entry<T>(T value, Instant expires) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final Clock clock;

    Tokens(Duration lifetime, Clock clock) {
        this.lifetime = lifetime;
        this.clock = clock;
    }

    String issue(T value) {
        Instant now = clock.instant();
        entries.values().removeIf(e -> !e.expires().isAfter(now));
        byte[] b = new byte[32];
        random.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        entries.put(token, new Entry<>(value, now.plus(lifetime)));
        return token;
    }

    /** The value of a token that was issued, not taken yet and not expired; null otherwise. Never twice. */
    T take(String token) {
        Entry<T> e = entries.remove(token);
        return e == null || !e.expires().isAfter(clock.instant()) ? null : e.value();
    }
}
