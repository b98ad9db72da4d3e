package org.bosun.launcher;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The installed distribution: {@code bin/bosun}, {@code lib/} (the launcher's class path),
 * {@code bundles/}, {@code features/} and {@code etc/}. Found through the {@code bosun.home}
 * property that {@code bin/bosun} sets.
 */
record Distribution(Path home, Path cacheDir) {

    /** Root's bundle caches. */
    static final Path SYSTEM_CACHE = Path.of("/var/cache/bosun/felix");

    static Distribution locate() {
        String home = System.getProperty("bosun.home");
        if (home == null) {
            throw new IllegalStateException("bosun.home is not set; start bosun through bin/bosun");
        }
        String cache = System.getenv("BOSUN_CACHE_DIR");
        return new Distribution(Path.of(home), cache != null && !cache.isEmpty() ? Path.of(cache)
                : cacheOf(CallerIds.ofThisProcess().uid(), System.getenv()));
    }

    /**
     * Where a user's bundle caches live. Commands that need no root (rkt's rule: fetch, image list,
     * trust --list, version, help) run as any user, and a user cannot write root's caches: each
     * user has caches of its own, under {@code $XDG_CACHE_HOME} or {@code ~/.cache}, else in the
     * temporary directory.
     */
    static Path cacheOf(int uid, java.util.Map<String, String> env) {
        if (uid == 0) {
            return SYSTEM_CACHE;
        }
        String xdg = env.get("XDG_CACHE_HOME");
        String home = env.get("HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg)
                : home != null && home.startsWith("/") ? Path.of(home, ".cache") : null;
        if (base != null && (Files.exists(base) ? Files.isWritable(base)
                : base.getParent() != null && Files.isWritable(base.getParent()))) {
            return base.resolve("bosun/felix");
        }
        return privateTemporary(Path.of(System.getProperty("java.io.tmpdir"), "bosun-" + uid), uid).resolve("felix");
    }

    /**
     * A directory of the user's own in the shared temporary directory. Bundles are loaded from the
     * cache, so one that another user made (or a link to one) is refused, never used.
     */
    static Path privateTemporary(Path dir, int uid) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Integer.valueOf(uid).equals(owner)
                    || !Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)
                            .equals(PosixFilePermissions.fromString("rwx------"))) {
                throw new IllegalStateException(dir + " is not a private directory of uid " + uid
                        + "; remove it, or set BOSUN_CACHE_DIR to a directory of your own");
            }
            return dir;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot make a bundle cache in " + dir + ": " + e.getMessage()
                    + "; set BOSUN_CACHE_DIR to a directory of your own", e);
        }
    }

    Path bundlesDir() {
        return home.resolve("bundles");
    }

    Path featuresDir() {
        return home.resolve("features");
    }
}
