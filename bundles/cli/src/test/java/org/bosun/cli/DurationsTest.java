package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Test;

public class DurationsTest {

    private static Duration parse(String text) {
        return Durations.parse(text, "--grace-period");
    }

    @Test
    public void parsesMinutes() {
        assertEquals(Duration.ofMinutes(30), parse("30m"));
    }

    @Test
    public void parsesHoursAndMinutesTogether() {
        assertEquals(Duration.ofMinutes(90), parse("1h30m"));
        assertEquals(Duration.ofHours(2).plusMinutes(45).plusSeconds(30), parse("2h45m30s"));
    }

    @Test
    public void parsesABareZero() {
        assertEquals(Duration.ZERO, parse("0"));
    }

    @Test
    public void parsesZeroSeconds() {
        assertEquals(Duration.ZERO, parse("0s"));
    }

    @Test
    public void parsesMilliseconds() {
        assertEquals(Duration.ofMillis(500), parse("500ms"));
    }

    @Test
    public void parsesTheSmallUnits() {
        assertEquals(Duration.ofNanos(7), parse("7ns"));
        assertEquals(Duration.ofNanos(10_000), parse("10us"));
        assertEquals(Duration.ofNanos(10_000), parse("10µs"));
    }

    @Test
    public void parsesFractions() {
        assertEquals(Duration.ofMinutes(90), parse("1.5h"));
        assertEquals(Duration.ofMillis(250), parse("0.25s"));
    }

    @Test
    public void ignoresSurroundingSpace() {
        assertEquals(Duration.ofSeconds(30), parse(" 30s "));
    }

    @Test
    public void refusesGarbageNamingTheTextAndTheFlag() {
        for (String bad : new String[] {"", "abc", "30", "m", "30x", "1h 30m", "-5s", "1h30", "h1", "1.s", "30mins"}) {
            BosunException e = assertThrows("'" + bad + "'", BosunException.class, () -> parse(bad));
            assertEquals(bad, ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("'" + bad + "'"));
            assertTrue(e.getMessage(), e.getMessage().contains("--grace-period"));
        }
    }
}
