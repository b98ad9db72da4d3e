package org.bosun.api.text;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import org.junit.Test;

public class HumanTextTest {
    @Test
    public void bytes() {
        assertEquals("0 B", HumanText.bytes(0));
        assertEquals("1023 B", HumanText.bytes(1023));
        assertEquals("1.0 KiB", HumanText.bytes(1024));
        assertEquals("1.5 MiB", HumanText.bytes(1536L * 1024));
        assertEquals("2.0 GiB", HumanText.bytes(2L << 30));
        assertEquals("1024.0 TiB", HumanText.bytes(1L << 50));
    }

    @Test
    public void ago() {
        assertEquals("0 seconds ago", HumanText.ago(Duration.ofSeconds(-5)));
        assertEquals("1 second ago", HumanText.ago(Duration.ofSeconds(1)));
        assertEquals("59 seconds ago", HumanText.ago(Duration.ofSeconds(59)));
        assertEquals("1 minute ago", HumanText.ago(Duration.ofSeconds(60)));
        assertEquals("2 hours ago", HumanText.ago(Duration.ofMinutes(150)));
        assertEquals("1 day ago", HumanText.ago(Duration.ofHours(24)));
        assertEquals("3 days ago", HumanText.ago(Duration.ofDays(3)));
    }
}
