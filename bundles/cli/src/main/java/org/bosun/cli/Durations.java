package org.bosun.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;

/**
 * Go-style durations as rkt took them: {@code 30m}, {@code 1h30m}, {@code 0s}, {@code 500ms}, {@code 0}
 * (how long ago something was is {@link org.bosun.api.text.HumanText#ago}, shared with the console).
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private Durations() {
    }

    public static Duration parse(String text, String flag) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            double value = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += (long) (value * unit);
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw BosunException.invalid("'" + text + "' is not a duration for " + flag
                    + "; write it like 30s, 10m, 1h30m or 0");
        }
        return Duration.ofNanos(nanos);
    }
}
