package org.bosun.launcher;

import java.nio.file.Path;

/**
 * The installed distribution: {@code bin/bosun}, {@code lib/} (the launcher's class path),
 * {@code bundles/}, {@code features/} and {@code etc/}. Found through the {@code bosun.home}
 * property that {@code bin/bosun} sets.
 */
record Distribution(Path home, Path cacheDir) {

    static Distribution locate() {
        String home = System.getProperty("bosun.home");
        if (home == null) {
            throw new IllegalStateException("bosun.home is not set; start bosun through bin/bosun");
        }
        String cache = System.getenv("BOSUN_CACHE_DIR");
        return new Distribution(Path.of(home), Path.of(cache != null && !cache.isEmpty() ? cache : "/var/cache/bosun/felix"));
    }

    Path bundlesDir() {
        return home.resolve("bundles");
    }

    Path featuresDir() {
        return home.resolve("features");
    }
}
