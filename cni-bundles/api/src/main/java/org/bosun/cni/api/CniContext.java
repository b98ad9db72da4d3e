package org.bosun.cni.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.bosun.api.BosunException;

/**
 * Where plugins and the attachment cache are, and how long one plugin call may take.
 *
 * @param pluginDirs the directories searched for plugin binaries, in order ({@code CNI_PATH})
 * @param cacheDir the attachment cache, e.g. {@code <dataDir>/networks/cache}
 * @param timeout the longest one plugin call may run; it is killed after that
 */
public record CniContext(List<Path> pluginDirs, Path cacheDir, Duration timeout) {
    public CniContext {
        pluginDirs = List.copyOf(pluginDirs);
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(timeout, "timeout");
        if (pluginDirs.isEmpty()) {
            throw BosunException.invalid("no CNI plugin directory is configured; name at least one, e.g. /usr/lib/cni");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw BosunException.invalid("the CNI plugin timeout must be positive, not " + timeout);
        }
    }
}
