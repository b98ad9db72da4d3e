package org.bosun.host;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

public class ShellWordsTest {
    /** What {@code sh} prints for {@code printf '%s' WORD}: the word as the shell read it. */
    private static String readBackBySh(String word) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "printf '%s' " + word).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        assertEquals("sh exits 0 for " + word, 0, p.exitValue());
        return out;
    }

    @Test
    public void quotingSurvivesSingleQuotes() {
        assertEquals("'it'\\''s'", ShellWords.quote("it's"));
    }

    @Test
    public void shReadsEveryQuotedWordBackUnchanged() throws Exception {
        for (String s : List.of("", "plain", "two words", "it's", "''", "$HOME `id` $(id) \\ \" *", "line\nbreak\ttab",
                "-n", "a;b|c&d>e<f", "ünïcödé")) {
            assertEquals(s, readBackBySh(ShellWords.quote(s)));
        }
    }
}
