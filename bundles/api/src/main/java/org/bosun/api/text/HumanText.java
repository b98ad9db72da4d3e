package org.bosun.api.text;

import java.time.Duration;
import java.util.Locale;

/**
 * Sizes and ages as people read them, the one way the CLI and the console print them:
 * {@code 512 B}, {@code 1.5 MiB}; {@code 5 minutes ago}.
 */
public final class HumanText {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private HumanText() {
    }

    /** A size: bytes below 1 KiB, else KiB, MiB, GiB or TiB with one decimal. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        int i = -1;
        while (v >= 1024 && i < UNITS.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[i]);
    }

    /** {@code 5 minutes ago}: the largest whole unit, as rkt's lists said it (a negative duration is 0 seconds). */
    public static String ago(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + (s == 1 ? " second ago" : " seconds ago");
        }
        if (s < 3600) {
            return s / 60 + (s / 60 == 1 ? " minute ago" : " minutes ago");
        }
        if (s < 86400) {
            return s / 3600 + (s / 3600 == 1 ? " hour ago" : " hours ago");
        }
        return s / 86400 + (s / 86400 == 1 ? " day ago" : " days ago");
    }
}
